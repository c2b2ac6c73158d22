variable "layer_name" {
  description = "Name of the layer; each apply that changes the zip publishes a new version of it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,140}$", var.layer_name))
    error_message = "layer_name must be 1-140 letters, digits, hyphens or underscores."
  }
}

variable "zip_path" {
  description = "The layer zip (python/... inside), written by `make build` as dist/verifier-layer.zip."
  type        = string

  validation {
    condition     = fileexists(var.zip_path)
    error_message = "The layer zip does not exist at zip_path: run `make build` first (it writes dist/verifier-layer.zip), or point zip_path at an existing zip."
  }
}

variable "runtime" {
  description = "The one runtime the layer is compatible with; must match the Python version it was built for."
  type        = string
  default     = "python3.13"

  validation {
    condition     = can(regex("^python3\\.(1[2-9]|[2-9][0-9])$", var.runtime))
    error_message = "runtime must be python3.12 or newer (e.g. python3.13), matching the layer's PYTHON_VERSION."
  }
}

variable "architecture" {
  description = "The one instruction set the layer is compatible with; must match the layer's ARCH."
  type        = string
  default     = "arm64"

  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "description" {
  description = "Description of the layer version."
  type        = string
  default     = "cognito-m2m-verifier: strict verifier of Cognito client-credentials access tokens, with its dependencies."
}

variable "aws_endpoint" {
  description = "URL of the local AWS emulator (moto in server mode) that every AWS API call goes to."
  type        = string
  default     = "http://127.0.0.1:4566"

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]+$", var.aws_endpoint))
    error_message = "aws_endpoint must be the local emulator, e.g. http://127.0.0.1:4566 (LOCAL_AWS_PORT)."
  }
}

variable "region" {
  description = "Region the emulator pretends to be."
  type        = string
  default     = "us-east-1"
}

variable "alb_port" {
  description = "Port of the local ALB (LOCAL_ALB_PORT): the client function calls the API through it."
  type        = number
  default     = 8080
}

variable "auth_port" {
  description = "Port of the local Cognito token endpoint (LOCAL_AUTH_PORT)."
  type        = number
  default     = 8081
}

variable "resource_zip_path" {
  description = "Resource function zip built for this machine (`make build-host`)."
  type        = string
  default     = null
}

variable "client_zip_path" {
  description = "Client function zip built for this machine (`make build-host`)."
  type        = string
  default     = null
}

variable "verifier_layer_zip_path" {
  description = "Verifier layer zip built for this machine (`make build-host`)."
  type        = string
  default     = null
}

variable "rotation_zip_path" {
  description = "Secret-rotation function zip built for this machine (`make build-host`)."
  type        = string
  default     = null
}

variable "zip_dir" {
  description = "Folder of the zips that apis entries name by file name (the local stack's snapshot of dist/host)."
  type        = string
  default     = null
}

variable "lambda_runtime" {
  description = "Runtime matching the Python that built (and locally runs) the zips, e.g. python3.13."
  type        = string
  default     = "python3.13"
}

variable "lambda_architecture" {
  description = "This machine's architecture (arm64 or x86_64), which the host zips were built for."
  type        = string
  default     = "x86_64"
}

variable "use_default_vpc" {
  description = "Put the load balancer in the emulator's default VPC instead of the module's own minimal network (the module's default, applied here too)."
  type        = bool
  default     = false
}

# ---- What the local stack deploys: edit stack.auto.tfvars, then run `make local` again ------------

variable "resource_servers" {
  description = "Resource servers and their scopes (the module's resource_servers)."
  type = map(object({
    name   = string
    scopes = map(string)
  }))
}

variable "clients" {
  description = "App clients by key, each with its scopes and, optionally, the IAM roles in other accounts that read its secret (the module's clients); `make -s local-token CLIENT=<key>` gets a token of any of them."
  type = map(object({
    scopes                        = list(string)
    access_token_validity_minutes = optional(number, 60)
    consumers                     = optional(list(string), [])
  }))
}

variable "client_function_client" {
  description = "Key of the client whose credentials GET /client uses."
  type        = string
  default     = "demo"
}

variable "apis" {
  description = "Protected functions (the module's apis); a zip_path here is a file name in zip_dir (dist/host), e.g. orders.zip."
  type = map(object({
    routes      = map(list(string))
    zip_path    = optional(string)
    handler     = optional(string, "app.handler")
    environment = optional(map(string), {})
    clients     = optional(list(string))
  }))
}

variable "client_token_source" {
  description = "Where the demo client function gets its tokens: \"token_endpoint\" (the local token endpoint) or \"get_client_token\" (Cognito's GetClientToken API, answered by the local edge; `up` then turns ALLOW_CLIENT_TOKEN_AUTH on for the demo client, as README says to do in AWS)."
  type        = string
  default     = "token_endpoint"

  validation {
    condition     = contains(["token_endpoint", "get_client_token"], var.client_token_source)
    error_message = "client_token_source must be \"token_endpoint\" or \"get_client_token\"."
  }
}

variable "token_tenants" {
  description = "Each client's tenant, by client key, which the example pre-token-generation trigger (examples/token-trigger) adds to its tokens as the tenant claim; {} deploys no trigger."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for t in values(var.token_tenants) : can(regex("^[A-Za-z0-9._-]{1,64}$", t))])
    error_message = "token_tenants values must be 1-64 letters, digits, dots, underscores or hyphens (what the example trigger accepts)."
  }
}

variable "region" {
  description = "AWS Region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "orders"
}

variable "orders_zip_path" {
  description = "Zip of your function: orders.py at its root (`make examples/own-api/orders.zip`)."
  type        = string
  default     = "orders.zip"
}

variable "verifier_layer_zip_path" {
  description = "The verifier layer zip; null: the module's dist/verifier-layer.zip (`make build`)."
  type        = string
  default     = null
}

variable "rotation_zip_path" {
  description = "The secret-rotation function's zip; null: the module's dist/rotation.zip (`make build`)."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "Architecture the layer and your zip were built for (the Makefile's ARCH)."
  type        = string
  default     = "arm64"
}

variable "lambda_runtime" {
  description = "Runtime the layer and your zip were built for (python<PYTHON_VERSION>)."
  type        = string
  default     = "python3.13"
}

variable "certificate_arn" {
  description = "ACM certificate for HTTPS (TLS 1.3 policy); null: plain HTTP, for a first try only."
  type        = string
  default     = null
}

variable "ingress_cidrs" {
  description = "Networks that may reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

output "arn" {
  description = "ARN of the published layer version (attach it with a function's `layers`)."
  value       = aws_lambda_layer_version.this.arn
}

output "layer_arn" {
  description = "ARN of the layer without its version."
  value       = aws_lambda_layer_version.this.layer_arn
}

output "version" {
  description = "Version number of the published layer version."
  value       = aws_lambda_layer_version.this.version
}

output "zip_path" {
  description = "Path of the zip published as the layer."
  value       = var.zip_path
}

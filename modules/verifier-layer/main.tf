# The verifier library and its dependencies as a Lambda layer, for functions of the module and of
# other roots. Layer versions are immutable: a changed zip publishes a new version and deletes the old
# one. Functions already deployed with the old version keep running; another root that pins the old
# ARN fails on its next update, so other roots read verifier_layer_arn from this root's outputs.

locals {
  manifest_path = "${var.zip_path}.manifest.json"
  manifest      = fileexists(local.manifest_path) ? try(jsondecode(file(local.manifest_path)), {}) : null
  built_for     = local.manifest == null ? null : "${try(local.manifest.architecture, "?")}/${try(local.manifest.runtime, "?")}"
}

resource "aws_lambda_layer_version" "this" {
  layer_name               = var.layer_name
  description              = var.description
  filename                 = var.zip_path
  source_code_hash         = filebase64sha256(var.zip_path)
  compatible_runtimes      = [var.runtime]
  compatible_architectures = [var.architecture]

  lifecycle {
    precondition {
      condition     = local.manifest == null || try(local.manifest.kind, "function") == "layer"
      error_message = "${var.zip_path} is a function zip (its build manifest has no kind = layer): give the layer zip that make build writes, dist/verifier-layer.zip."
    }
    precondition {
      condition     = local.manifest == null || local.built_for == "${var.architecture}/${var.runtime}"
      error_message = "${var.zip_path} was built for ${coalesce(local.built_for, "?")} (its build manifest) but the layer is published for ${var.architecture}/${var.runtime}: functions would fail to import its native code. Rebuild it (make build ARCH=<arm64|x86_64> PYTHON_VERSION=<3.x>) or set lambda_architecture and lambda_runtime to what it was built for."
    }
    precondition {
      condition     = local.manifest == null || try(local.manifest.zip_sha256 == filesha256(var.zip_path), false)
      error_message = "${local.manifest_path} does not describe ${var.zip_path} (its zip_sha256 differs): the zip was replaced after the build. Rebuild it with make build, or delete the stale manifest."
    }
  }
}

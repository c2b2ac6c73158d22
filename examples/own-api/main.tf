# Your own API behind Cognito client credentials: the module deploys your function (its own zip, one
# file, examples/own-api/orders/orders.py) with the verifier layer, routes its paths on the load
# balancer, and gives each caller its own app client. No demo API, no demo endpoint.
#
# Build first, from the repository root: `make build` (the verifier layer, dist/verifier-layer.zip) and
# `make examples/own-api/orders.zip` (your function; any zip of orders.py at its root will do).

provider "aws" {
  region = var.region
}

module "m2m" {
  source = "../.."

  name = var.name

  resource_servers = {
    orders = {
      name   = "Orders API"
      scopes = { read = "Read orders", write = "Create orders" }
    }
  }

  # One app client per calling service, with only the scopes it needs.
  clients = {
    storefront = { scopes = ["orders/read", "orders/write"] }
    reporting  = { scopes = ["orders/read"], access_token_validity_minutes = 15 }
  }

  apis = {
    orders = {
      zip_path = var.orders_zip_path
      handler  = "orders.handler"
      routes = {
        "GET /orders"   = ["orders/read"]
        "POST /orders"  = ["orders/write"]
        "GET /orders/*" = ["orders/read"]
        # a tenant's orders, for tokens whose tenant claim is that tenant (see token_customization)
        "GET /tenants/*" = ["orders/read"]
      }
    }
  }

  verifier_layer_zip_path = var.verifier_layer_zip_path
  rotation_zip_path       = var.rotation_zip_path
  lambda_architecture     = var.lambda_architecture
  lambda_runtime          = var.lambda_runtime

  certificate_arn = var.certificate_arn
  ingress_cidrs   = var.ingress_cidrs
}

# The smallest deployment: the defaults of the module (one resource server rest-api with read/write, one
# client "demo" allowed rest-api/read, a new VPC, an HTTP load balancer), plus the demo endpoint
# GET /client, which the module leaves off unless asked for. Run `make build` first.

provider "aws" {
  region = var.region
}

module "m2m" {
  source = "../.."

  name = var.name

  # The demo: GET /client runs the whole flow as the "demo" client (anyone in client_source_cidrs may).
  enable_client_endpoint       = true
  client_endpoint_source_cidrs = var.client_source_cidrs
}

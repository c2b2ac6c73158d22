# The smallest deployment: the defaults of the module (one resource server rest-api with read/write, one
# client "demo" allowed rest-api/read, a new VPC, an HTTP load balancer). Run `make build` first.

provider "aws" {
  region = var.region
}

module "m2m" {
  source = "../.."

  name = var.name
}

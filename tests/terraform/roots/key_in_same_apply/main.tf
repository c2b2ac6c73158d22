# A root that creates the secrets' key in the same apply as the module, as README's "Callers in other
# accounts" shows: kms_key_arn is unknown at plan, and a shared client must still plan.

resource "aws_kms_key" "secrets" {
  description = "client secrets, shared with consumers"
}

module "m2m" {
  source = "../../../.."

  kms_key_arn = aws_kms_key.secrets.arn
  clients = {
    demo = { scopes = ["rest-api/read"] }
    reporting = {
      scopes    = ["rest-api/read"]
      consumers = ["arn:aws:iam::210987654321:role/reports-exporter"]
    }
  }
}

output "shared_clients" {
  value = keys(module.m2m.consumer_access)
}

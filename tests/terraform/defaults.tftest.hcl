# The module with its default inputs (apply against the mocked provider: no AWS call is made).

mock_provider "aws" {
  source = "./tests/terraform/mocks"
}

run "defaults" {
  command = apply

  assert {
    condition     = length(module.cognito.client_ids) == 1 && length(module.network) == 1 && length(module.client_function) == 1
    error_message = "defaults: one client, a created network and the client function expected"
  }
}

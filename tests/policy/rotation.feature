Feature: Client secrets rotate, and only the rotation function may change them
  Every client secret rotates through the module's rotation function; that function may change client
  secrets of this user pool only and write these secrets only (named by the deployment's prefix and held
  to the pool's tag, so that one statement serves up to Cognito's 1,000 clients); Secrets Manager may
  invoke it for this account's secrets of this configuration only. (The resource-relating steps are
  ours: tests/policy/steps/relations.py)

  @noskip
  Scenario: every client secret rotates with a function of this configuration
    Given I have aws_secretsmanager_secret defined
    Then each secret has a rotation of 1 to 1000 days by a function of this configuration

  @noskip
  Scenario: the rotation function may touch only this pool and these secrets
    Given I have aws_iam_role_policy defined
    Then a role that may change Cognito client secrets touches only this pool and these secrets

  @noskip
  Scenario: Secrets Manager may invoke the rotation function only for these secrets
    Given I have aws_lambda_permission defined
    Then each permission of Secrets Manager is held to this account and to the secrets of this configuration

  Scenario: a secret rotates only once its first value exists
    Given I have aws_secretsmanager_secret_rotation defined
    Then its configuration depends on the module that writes the secrets' first values

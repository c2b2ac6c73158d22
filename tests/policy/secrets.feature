Feature: Client secrets live in Secrets Manager and nowhere else
  Each app client's id and secret are stored in a Secrets Manager secret that cannot be deleted at once, and
  no output shows a client secret unless it is marked sensitive. (The step relating
  clients to secrets is ours: tests/policy/steps/relations.py)

  @noskip
  Scenario: every secret has a recovery window of at least 7 days
    Given I have aws_secretsmanager_secret defined
    Then it must contain recovery_window_in_days
    And its value must match the "^([7-9]|[1-2][0-9]|30)$" regex

  @noskip
  Scenario: the secret holds the client id and the client secret
    Given I have aws_secretsmanager_secret_version defined
    Then it must contain secret_string
    And it must contain client_secret

  @noskip
  Scenario: each app client's id and secret are stored in one of the secrets
    Given I have aws_cognito_user_pool_client defined
    Then each app client's id and secret are stored in a secret of this configuration

  Scenario: an output whose name says it holds client secrets is sensitive
    Given I have any output defined
    When its address is ".*secrets?$" regex
    Then its sensitive must be true

  Scenario: an output that reads an app client's secret is sensitive
    Given I have any output defined
    When its value is ".*\.client_secret$" regex
    Then its sensitive must be true

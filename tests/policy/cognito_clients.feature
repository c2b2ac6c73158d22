@noskip
Feature: Cognito app clients are confidential machine-to-machine clients
  Every app client authenticates with its own secret, can only use the client_credentials grant for the
  resource servers' scopes, and cannot be used to probe for users.

  Scenario: every app client has a client secret
    Given I have aws_cognito_user_pool_client defined
    Then it must contain generate_secret
    And its value must be true

  Scenario: client_credentials is the only OAuth flow
    Given I have aws_cognito_user_pool_client defined
    Then it must contain allowed_oauth_flows
    And all of its values must match the "^client_credentials$" regex

  Scenario: OAuth flows are enabled for the app client
    Given I have aws_cognito_user_pool_client defined
    Then it must contain allowed_oauth_flows_user_pool_client
    And its value must be true

  Scenario: only resource-server scopes, never openid, email, profile, phone or the Cognito admin scope
    Given I have aws_cognito_user_pool_client defined
    Then it must contain allowed_oauth_scopes
    And all of its values must match the "^[^\s]+/[^/\s]+$" regex

  Scenario: no user sign-in flow is enabled, only refreshing
    Given I have aws_cognito_user_pool_client defined
    Then it must contain explicit_auth_flows
    And all of its values must match the "^ALLOW_REFRESH_TOKEN_AUTH$" regex

  Scenario: token revocation is on
    Given I have aws_cognito_user_pool_client defined
    Then it must contain enable_token_revocation
    And its value must be true

  Scenario: user existence errors are prevented
    Given I have aws_cognito_user_pool_client defined
    Then it must contain prevent_user_existence_errors
    And its value must match the "^ENABLED$" regex

  Scenario: access token validity is counted in minutes
    Given I have aws_cognito_user_pool_client defined
    Then it must contain token_validity_units
    And it must contain access_token
    And its value must be minutes

  Scenario: access tokens live between 5 and 1440 minutes
    Given I have aws_cognito_user_pool_client defined
    Then it must contain access_token_validity
    And its value must match the "^([5-9]|[1-9][0-9]|[1-9][0-9][0-9]|1[0-3][0-9][0-9]|14[0-3][0-9]|1440)$" regex

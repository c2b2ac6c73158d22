@noskip
Feature: The user pool is an authorization server for services only
  Nobody signs up: users can only be created by an administrator, and the pool has the hosted domain that
  serves the token endpoint.

  Scenario: only administrators can create users
    Given I have aws_cognito_user_pool defined
    Then it must contain admin_create_user_config
    And it must contain allow_admin_create_user_only
    And its value must be true

  Scenario: the user pool has a hosted domain for the token endpoint
    Given I have aws_cognito_user_pool_domain defined
    Then it must contain domain
    And its value must match the "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$" regex

  Scenario: scopes come from a resource server
    Given I have aws_cognito_resource_server defined
    Then it must contain scope
    And it must contain scope_name

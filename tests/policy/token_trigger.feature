Feature: Cognito invokes the token trigger for its own user pool only
  The pre-token-generation trigger (token_customization) may be invoked by Cognito on behalf of a user pool
  of this account only: the developer guide's policy, AWS:SourceArn the pool and AWS:SourceAccount the
  account. (Plans without a trigger have no such permission: the scenarios are skipped there.)

  Scenario: Cognito may invoke a token trigger for a user pool only
    Given I have aws_lambda_permission defined
    When its principal is "cognito-idp.amazonaws.com"
    Then it must contain source_arn
    And its value must match the "^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:[0-9]{12}:userpool/[a-z0-9-]+_[A-Za-z0-9]+$" regex

  Scenario: Cognito may invoke a token trigger for this account only
    Given I have aws_lambda_permission defined
    When its principal is "cognito-idp.amazonaws.com"
    Then it must contain source_account
    And its value must match the "^[0-9]{12}$" regex

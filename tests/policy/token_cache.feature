Feature: The fleet's token table expires what it holds, is encrypted, and each client reaches its own items only
  The shared token cache holds access tokens (never a client secret): DynamoDB deletes expired ones
  (TTL), the table is encrypted, and the only role that may use it is held to its client's items by a
  dynamodb:LeadingKeys condition. (The statement-relating step is ours: tests/policy/steps/relations.py)

  @noskip
  Scenario: expired tokens are deleted by the table's TTL
    Given I have aws_dynamodb_table defined
    Then it must contain ttl
    And it must contain enabled
    And its value must be true

  @noskip
  Scenario: the table is encrypted at rest with server-side encryption switched on
    Given I have aws_dynamodb_table defined
    Then it must contain server_side_encryption
    And it must contain enabled
    And its value must be true

  @noskip
  Scenario: every DynamoDB grant is held to the caller's own items
    Given I have aws_iam_role_policy defined
    Then each policy statement allowing "dynamodb:GetItem" has a "ForAllValues:StringLike" condition on "dynamodb:LeadingKeys"

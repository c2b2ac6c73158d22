Feature: IAM policies the module writes are least privilege
  No statement allows every action; "*" is a resource only for the X-Ray write actions, which AWS cannot
  scope; the client function reads exactly its own secret; the resource function touches no secret or key.
  (The statement- and resource-relating steps are ours: tests/policy/steps/relations.py)

  @noskip
  Scenario: no statement allows every action, of AWS or of a service
    Given I have aws_iam_role_policy defined
    When it contains policy
    And it contains Statement
    Then it must contain Action
    And its value must not match the "^(.*:)?\*$" regex

  @noskip
  Scenario: no statement uses NotAction or NotResource
    Given I have aws_iam_role_policy defined
    When it contains policy
    And it contains Statement
    Then it must not contain NotAction
    And it must not contain NotResource

  @noskip
  Scenario: only the X-Ray write actions, which AWS cannot scope, get the resource "*"
    Given I have aws_iam_role_policy defined
    Then each policy statement granting the resource "*" only allows actions matching "xray:(PutTraceSegments|PutTelemetryRecords)"

  @noskip
  Scenario: Secrets Manager actions are granted on exact secret ARNs only, or on this configuration's secrets held to their pool
    Given I have aws_iam_role_policy defined
    Then each policy statement allowing "secretsmanager:GetSecretValue" grants exact secret ARNs only, or the name prefix of this configuration's secrets held to its pool's tag

  @noskip
  Scenario: KMS actions are granted on exact key ARNs only
    Given I have aws_iam_role_policy defined
    Then each policy statement allowing "kms:Decrypt" only grants resources matching "arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}"

  @noskip
  Scenario: the client function may read only its own client secret
    Given I have aws_lambda_function defined
    Then the function named in its "CLIENT_SECRET_ARN" variable may read only that secret of this configuration

  @noskip
  Scenario: the resource function has no Secrets Manager access
    Given I have aws_lambda_function defined
    Then the function with a "ALLOWED_CLIENT_IDS" variable has no "secretsmanager:" permission

  @noskip
  Scenario: the resource function has no KMS access
    Given I have aws_lambda_function defined
    Then the function with a "ALLOWED_CLIENT_IDS" variable has no "kms:" permission

  @noskip
  Scenario: execution roles can be assumed by the Lambda service only
    Given I have aws_iam_role defined
    When it contains assume_role_policy
    And it contains Statement
    Then it must contain Principal
    And it must contain Service
    And its value must match the "^lambda\.amazonaws\.com$" regex

  Scenario: roles get no managed policy but the AWS one for VPC network interfaces
    Given I have aws_iam_role_policy_attachment defined
    Then it must contain policy_arn
    And its value must match the "^arn:aws[a-z-]*:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole$" regex

Feature: Secrets shared with callers in other accounts stay narrow
  A client's secret may be read from other accounts only by the IAM roles its resource policy names, never
  by a wildcard, a whole account or the public, and only when a key given by its ARN encrypts it, not the
  AWS managed default, which cannot be used across accounts (the plan itself checks that the key is customer
  managed, by its KeyManager). (The steps are ours: tests/policy/steps/relations.py)

  Scenario: a secret's resource policy names IAM roles only, and lets them read that secret only
    Given I have aws_secretsmanager_secret_policy defined
    Then each secret policy allows named IAM roles to get and describe its secret, and nothing else

  Scenario: a secret's resource policy is put with Secrets Manager's block of broad access
    Given I have aws_secretsmanager_secret_policy defined
    Then each secret policy is put with block_public_policy

  Scenario: a secret shared with other accounts is encrypted with a key of its own, not the AWS managed default
    Given I have aws_secretsmanager_secret_policy defined
    Then the secret each policy is attached to is encrypted with a KMS key given by its ARN

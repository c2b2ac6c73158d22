@noskip
Feature: Lambda functions are current, traced, bounded and log as JSON to their own log group

  Scenario: the runtime is python3.12 or newer
    Given I have aws_lambda_function defined
    Then it must contain runtime
    And its value must match the "^python3\.(1[2-9]|[2-9][0-9])$" regex

  Scenario: X-Ray tracing is active
    Given I have aws_lambda_function defined
    Then it must contain tracing_config
    And it must contain mode
    And its value must be Active

  Scenario: the timeout is bounded (1 to 60 seconds, the load balancer's default idle timeout)
    Given I have aws_lambda_function defined
    Then it must contain timeout
    And its value must match the "^([1-9]|[1-5][0-9]|60)$" regex

  Scenario: the memory is bounded (128 to 3008 MB)
    Given I have aws_lambda_function defined
    Then it must contain memory_size
    And its value must be greater and equal than 128
    And its value must be less and equal than 3008

  Scenario: logs are written as JSON
    Given I have aws_lambda_function defined
    Then it must contain logging_config
    And it must contain log_format
    And its value must be JSON

  Scenario: each function logs to an explicit log group that this configuration creates
    Given I have aws_lambda_function defined
    Then each function logs to a log group of this configuration

  Scenario: every log group keeps logs between 1 day and 10 years
    Given I have aws_cloudwatch_log_group defined
    Then it must contain retention_in_days
    And its value must be greater and equal than 1
    And its value must be less and equal than 3653

Feature: Every function is watched, alarms reach the on-call topic, and the dashboard exists
  Each Lambda function has an alarm on its AWS/Lambda Errors metric; when the configuration gives
  alarms a topic, every alarm notifies it when it fires and when it recovers; the on-call dashboard is
  deployed. (The alarm-relating steps are ours: tests/policy/steps/relations.py)

  @noskip
  Scenario: every function has an errors alarm
    Given I have aws_lambda_function defined
    Then each function has an alarm on its Errors metric

  @noskip
  Scenario: with a topic given, every alarm notifies it when it fires and when it recovers
    Given I have aws_cloudwatch_metric_alarm defined
    Then when any alarm has actions every alarm notifies the same topic on alarm and on ok

  @noskip
  Scenario: the dashboard exists
    Given I have aws_cloudwatch_dashboard defined
    Then it must contain dashboard_body

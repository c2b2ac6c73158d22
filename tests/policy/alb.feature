Feature: The load balancer only speaks what it must
  Malformed headers are dropped, HTTPS uses a TLS 1.3 policy and HTTP only redirects to it when a certificate
  is given, the security group opens only the listener ports, and only the load balancer's target groups may
  invoke the functions.

  @noskip
  Scenario: invalid header fields are dropped
    Given I have aws_lb defined
    Then it must contain drop_invalid_header_fields
    And its value must be true

  Scenario: HTTPS listeners use a TLS 1.3 security policy
    Given I have aws_lb_listener defined
    When its protocol is "HTTPS"
    Then it must contain ssl_policy
    And its value must match the "^ELBSecurityPolicy-TLS13-" regex

  Scenario: HTTPS listeners present an ACM certificate
    Given I have aws_lb_listener defined
    When its protocol is "HTTPS"
    Then it must contain certificate_arn
    And its value must match the "^arn:aws[a-z-]*:acm:" regex

  @with_certificate @noskip
  Scenario: with a certificate, the HTTP listener only redirects to HTTPS
    Given I have aws_lb_listener defined
    When its protocol is "HTTP"
    Then it must contain default_action
    And it must contain type
    And its value must be redirect

  @with_certificate @noskip
  Scenario: with a certificate, the redirect goes to HTTPS on port 443 permanently
    Given I have aws_lb_listener defined
    When its protocol is "HTTP"
    Then it must contain default_action
    And it must contain redirect
    And it must contain protocol
    And its value must be HTTPS

  @without_certificate @noskip
  Scenario: without a certificate, the HTTP listener answers unrouted paths with a fixed response
    Given I have aws_lb_listener defined
    When its protocol is "HTTP"
    Then it must contain default_action
    And it must contain type
    And its value must be fixed-response

  Scenario: security group ingress starts only at a listener port
    Given I have aws_security_group defined
    When it contains ingress
    Then it must contain from_port
    And its value must match the "^(80|443)$" regex

  Scenario: security group ingress ends at the same listener port
    Given I have aws_security_group defined
    When it contains ingress
    Then it must contain to_port
    And its value must match the "^(80|443)$" regex

  Scenario: security group ingress is TCP
    Given I have aws_security_group defined
    When it contains ingress
    Then it must contain protocol
    And its value must be tcp

  Scenario: no separate ingress rule resources widen the group
    Given I have aws_vpc_security_group_ingress_rule defined
    Then it fails

  @noskip
  Scenario: only the load balancer, Secrets Manager (rotation) and Cognito (token trigger) may invoke the functions
    Given I have aws_lambda_permission defined
    Then it must contain principal
    And its value must match the "^(elasticloadbalancing|secretsmanager|cognito-idp)\.amazonaws\.com$" regex

  Scenario: each Lambda permission of the load balancer is scoped to a target group
    Given I have aws_lambda_permission defined
    When its principal is "elasticloadbalancing.amazonaws.com"
    Then it must contain source_arn
    And its value must match the "^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:targetgroup/" regex

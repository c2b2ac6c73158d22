# ARN- and id-shaped values for the mocked hashicorp/aws provider, so that ARN handling works in tests.
# Every instance of a resource gets these defaults; tests override single instances where they must differ.

mock_data "aws_region" {
  defaults = {
    name = "eu-west-1"
  }
}

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/tester"
    user_id    = "AIDAEXAMPLE"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition  = "aws"
    dns_suffix = "amazonaws.com"
  }
}

mock_data "aws_availability_zones" {
  defaults = {
    names    = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    zone_ids = ["euw1-az1", "euw1-az2", "euw1-az3"]
  }
}

mock_resource "aws_cognito_user_pool" {
  defaults = {
    id       = "eu-west-1_MockPool1"
    arn      = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_MockPool1"
    endpoint = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_MockPool1"
  }
}

mock_resource "aws_cognito_user_pool_client" {
  defaults = {
    id            = "1mockclient23456789abcdef"
    client_secret = "mock-client-secret"
  }
}

mock_resource "aws_secretsmanager_secret" {
  defaults = {
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-demo-AbCdEf"
    id  = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:m2m-demo-demo-AbCdEf"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/mock"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/mock-role"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:eu-west-1:123456789012:function:mock"
    invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:mock/invocations"
    qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:mock:$LATEST"
  }
}

mock_resource "aws_lambda_layer_version" {
  defaults = {
    arn              = "arn:aws:lambda:eu-west-1:123456789012:layer:m2m-verifier:1"
    layer_arn        = "arn:aws:lambda:eu-west-1:123456789012:layer:m2m-verifier"
    version          = "1"
    source_code_hash = "mock"
  }
}

mock_resource "aws_lb" {
  defaults = {
    arn        = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mock/50dc6c495c0c9188"
    arn_suffix = "app/mock/50dc6c495c0c9188"
    dns_name   = "mock-1234567890.eu-west-1.elb.amazonaws.com"
    zone_id    = "Z32O12XQLNTSW2"
  }
}

mock_resource "aws_lb_listener" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mock/50dc6c495c0c9188/f2f7dc8efc522ab2"
  }
}

mock_resource "aws_lb_target_group" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mock/73e2d6bc24d8a067"
  }
}

mock_resource "aws_lb_listener_rule" {
  defaults = {
    arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/mock/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
  }
}

mock_resource "aws_security_group" {
  defaults = {
    id  = "sg-0123456789abcdef0"
    arn = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"
  }
}

mock_resource "aws_vpc" {
  defaults = {
    id  = "vpc-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_subnet" {
  defaults = {
    id  = "subnet-0a1b2c3d4e5f60718"
    arn = "arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0a1b2c3d4e5f60718"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/m2m-demo-tokens"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:eu-west-1:123456789012:m2m-demo-alarms"
    id  = "arn:aws:sns:eu-west-1:123456789012:m2m-demo-alarms"
  }
}

mock_data "aws_kms_key" {
  defaults = {
    arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    key_manager = "CUSTOMER"
  }
}

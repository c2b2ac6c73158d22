# An Application Load Balancer that routes paths to Lambda targets.

locals {
  https         = var.certificate_arn != null
  listener_port = local.https ? 443 : 80
  # 80 always listens (it redirects when HTTPS is on); 443 only with a certificate.
  ingress_ports = local.https ? [80, 443] : [80]
  not_found     = jsonencode({ error = "not_found", message = "No route for this path." })

  # A rule holds at most 5 condition values (ALB quota), path patterns and source CIDR blocks together:
  # a target with more path patterns gets one rule per chunk. The first rule of a target is keyed by the
  # target's own key, the others "<key>#2", "<key>#3"... ("#" is not a key character: no two targets'
  # rules can share a key). A target without a priority leaves it to the load balancer: each rule gets
  # the next free one when it is created and keeps it, whatever other targets come and go later.
  rules = merge([
    for k, t in var.targets : {
      for i, patterns in chunklist(t.path_patterns, 5 - length(t.source_cidrs)) :
      (i == 0 ? k : "${k}#${i + 1}") => {
        target        = k
        path_patterns = patterns
        source_cidrs  = t.source_cidrs
        priority      = t.priority == null ? null : t.priority + i
      }
    }
  ]...)
}

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-alb-"
  description = "Load balancer ${var.name}: listener ports from the allowed CIDRs only."
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = local.ingress_ports
    content {
      description = "Listener port ${ingress.value}"
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = var.ingress_cidrs
    }
  }

  # No egress rule: Lambda targets are invoked by the ELB service, not over the network.

  tags = merge(var.tags, { Name = "${var.name}-alb" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb" "this" {
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = !var.internet_facing
  subnets                    = var.subnet_ids
  security_groups            = [aws_security_group.this.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = var.idle_timeout

  dynamic "access_logs" {
    for_each = var.access_logs == null ? [] : [var.access_logs]
    content {
      enabled = true
      bucket  = access_logs.value.bucket
      prefix  = access_logs.value.prefix
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = local.https ? "redirect" : "fixed-response"

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }

    dynamic "fixed_response" {
      for_each = local.https ? [] : [1]
      content {
        content_type = "application/json"
        message_body = local.not_found
        status_code  = "404"
      }
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-http" })
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = var.certificate_arn

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "application/json"
      message_body = local.not_found
      status_code  = "404"
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-https" })
}

resource "aws_lb_target_group" "this" {
  for_each = var.targets

  name                               = "${var.name}-${each.key}"
  target_type                        = "lambda"
  lambda_multi_value_headers_enabled = each.value.multi_value_headers_enabled

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_lambda_permission" "this" {
  for_each = var.targets

  statement_id  = "AllowInvokeFromLoadBalancer"
  action        = "lambda:InvokeFunction"
  function_name = each.value.function_name
  principal     = "elasticloadbalancing.amazonaws.com"
  source_arn    = aws_lb_target_group.this[each.key].arn
}

resource "aws_lb_target_group_attachment" "this" {
  for_each = var.targets

  target_group_arn = aws_lb_target_group.this[each.key].arn
  target_id        = each.value.function_arn

  # The load balancer checks that it may invoke the function when the target is registered.
  depends_on = [aws_lambda_permission.this]
}

resource "aws_lb_listener_rule" "this" {
  for_each = local.rules

  listener_arn = local.https ? aws_lb_listener.https[0].arn : aws_lb_listener.http.arn
  priority     = each.value.priority

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.value.target].arn
  }

  condition {
    path_pattern {
      values = each.value.path_patterns
    }
  }

  dynamic "condition" {
    for_each = length(each.value.source_cidrs) > 0 ? [each.value.source_cidrs] : []
    content {
      source_ip {
        values = condition.value
      }
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.value.target}" })
}

resource "aws_route53_record" "this" {
  count = var.route53_zone_id != null && var.domain_name != null ? 1 : 0

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name    = aws_lb.this.dns_name
    zone_id = aws_lb.this.zone_id
    # Lambda targets have no health checks: evaluating target health would only make Route 53 answer
    # with nothing when every target group is judged unhealthy.
    evaluate_target_health = false
  }
}

output "arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (app/<name>/<id>): the LoadBalancer dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "zone_id" {
  description = "Route 53 zone id of the load balancer (for alias records)."
  value       = aws_lb.this.zone_id
}

output "base_url" {
  description = "URL clients use: https://<domain_name> with a certificate, otherwise http://<domain_name or the load balancer's DNS name>."
  value       = "${local.https ? "https" : "http"}://${coalesce(var.domain_name, aws_lb.this.dns_name)}"
}

output "security_group_id" {
  description = "ID of the load balancer's security group."
  value       = aws_security_group.this.id
}

output "http_listener_arn" {
  description = "ARN of the HTTP listener (port 80)."
  value       = aws_lb_listener.http.arn
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener (port 443), null without a certificate."
  value       = local.https ? aws_lb_listener.https[0].arn : null
}

output "target_group_arns" {
  description = "ARNs of the Lambda target groups by target key."
  value       = tomap({ for k, tg in aws_lb_target_group.this : k => tg.arn })
}

output "subnet_ids" {
  description = "Subnets of the load balancer."
  value       = aws_lb.this.subnets
}

output "listener_rules" {
  description = "Path patterns, source CIDR blocks and priority of each listener rule, by rule key (the target's key for its first rule, \"<key>#2\"... for the next ones)."
  value = {
    for k, r in aws_lb_listener_rule.this : k => {
      arn           = r.arn
      listener_arn  = r.listener_arn
      priority      = r.priority
      path_patterns = sort(flatten([for c in r.condition : [for p in c.path_pattern : p.values]]))
      source_cidrs  = sort(flatten([for c in r.condition : [for s in c.source_ip : s.values]]))
    }
  }
}

#!/usr/bin/env bash
# Print the folder that holds the hashicorp/aws provider as a filesystem mirror, for
# `terraform init -plugin-dir=...`. TF_PLUGIN_DIR wins when set; otherwise look in the usual places,
# then search the disk. Prints nothing (exit 1) when no mirror is found.
set -u
if [ -n "${TF_PLUGIN_DIR:-}" ]; then echo "$TF_PLUGIN_DIR"; exit 0; fi
for d in /opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins /usr/local/share/terraform/plugins; do
  if [ -d "$d/registry.terraform.io/hashicorp/aws" ]; then echo "$d"; exit 0; fi
done
hit=$(find / -path /proc -prune -o -path /sys -prune -o -name 'terraform-provider-aws*' -print 2>/dev/null | head -n 1)
if [ -n "$hit" ]; then
  # <dir>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_...
  echo "$hit" | sed -E 's#/registry\.terraform\.io/hashicorp/aws/.*##'
  exit 0
fi
exit 1

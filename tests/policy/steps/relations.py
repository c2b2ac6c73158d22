# mypy: disable-error-code="untyped-decorator"
"""Extra terraform-compliance steps for what its built-in steps cannot say.

Loaded next to terraform-compliance's own steps (policy_runner passes `--basedir` to radish). The built-in
steps filter IAM statements only by scalar keys, so "the statement whose Resource list holds '*'" and
"the statement whose Action list holds GetSecretValue" cannot be selected with them, and no built-in step
relates two resources by value (a function and its log group, a function's secret ARN and its role's
policy). These steps do exactly that and report through terraform-compliance's own Error, so that a
failure shows as a failed scenario of the feature that uses them, like any other.

Every step starts from the stash of a `Given I have <type> defined` step (resources with `address` and
`values`); the whole plan is in `world.config.terraform.resources`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from radish import then, world  # type: ignore[import-not-found]  # only in .venv-policy
from terraform_compliance.common.error_handling import Error  # type: ignore[import-not-found]

Json = dict[str, Any]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(document: Any) -> list[Json]:
    if isinstance(document, str):
        document = json.loads(document)
    if not isinstance(document, dict):
        return []
    return [s for s in _as_list(document.get("Statement")) if isinstance(s, dict)]


def _policies(step: Any) -> Iterator[tuple[str, list[Json]]]:
    for resource in step.context.stash:
        values = resource.get("values") or {}
        if "policy" not in values:
            Error(step, f"{resource.get('address')} has no known policy document in the plan.")
            continue
        yield resource.get("address", "?"), _statements(values["policy"])


def _resources_of_type(resource_type: str) -> list[Json]:
    return [r for r in world.config.terraform.resources.values() if r.get("type") == resource_type]


def _first(block: Any) -> Json:
    items = _as_list(block)
    return items[0] if items and isinstance(items[0], dict) else {}


@then(
    'each policy statement granting the resource "{resource}" only allows actions matching "{search_regex}"'
)
def statements_with_resource_only_allow(step: Any, resource: str, search_regex: str) -> None:
    pattern = re.compile(search_regex)
    for address, statements in _policies(step):
        for statement in statements:
            if resource not in _as_list(statement.get("Resource")):
                continue
            bad = [a for a in _as_list(statement.get("Action")) if not pattern.fullmatch(str(a))]
            if bad or "NotAction" in statement:
                Error(step, f"{address}: statement {statement.get('Sid', '?')} grants {resource!r} to {bad}.")


@then('each policy statement allowing "{action}" only grants resources matching "{search_regex}"')
def statements_with_action_only_grant(step: Any, action: str, search_regex: str) -> None:
    pattern = re.compile(search_regex)
    for address, statements in _policies(step):
        for statement in statements:
            actions = [str(a) for a in _as_list(statement.get("Action"))]
            if action not in actions:
                continue
            resources = _as_list(statement.get("Resource"))
            bad = [r for r in resources if not pattern.fullmatch(str(r))]
            if bad or not resources:
                Error(
                    step, f"{address}: statement {statement.get('Sid', '?')} grants {action} on {resources}."
                )


@then("each function logs to a log group of this configuration")
def functions_log_to_own_group(step: Any) -> None:
    groups = {g["values"].get("name"): g for g in _resources_of_type("aws_cloudwatch_log_group")}
    for function in step.context.stash:
        values = function.get("values") or {}
        group_name = _first(values.get("logging_config")).get("log_group")
        if group_name not in groups:
            Error(
                step,
                f"{function['address']} logs to {group_name!r}, which this configuration does not create.",
            )


def _role_policies(role_arn: str) -> list[Json]:
    roles = [r for r in _resources_of_type("aws_iam_role") if r["values"].get("arn") == role_arn]
    if not roles:
        return []
    role_name = roles[0]["values"].get("name")
    return [p for p in _resources_of_type("aws_iam_role_policy") if p["values"].get("role") == role_name]


@then('the function named in its "{variable}" variable may read only that secret of this configuration')
def function_reads_only_its_secret(step: Any, variable: str) -> None:
    secret_arns = {s["values"].get("arn") for s in _resources_of_type("aws_secretsmanager_secret")}
    checked = 0
    for function in step.context.stash:
        values = function.get("values") or {}
        env = _first(values.get("environment")).get("variables") or {}
        if variable not in env:
            continue
        checked += 1
        own = env[variable]
        if own not in secret_arns:
            Error(step, f"{function['address']}: {variable}={own} is not a secret of this configuration.")
        granted: list[Any] = []
        for policy in _role_policies(values.get("role", "")):
            for statement in _statements(policy["values"].get("policy")):
                actions = [str(a) for a in _as_list(statement.get("Action"))]
                if any(a.startswith("secretsmanager:") or a == "*" for a in actions):
                    granted.extend(_as_list(statement.get("Resource")))
        if granted != [own]:
            Error(step, f"{function['address']}: Secrets Manager access on {granted}, expected only [{own}].")
    if checked == 0:
        Error(step, f"No function has a {variable} variable.")


@then('the function with a "{variable}" variable has no "{prefix}" permission')
def function_with_variable_has_no_access(step: Any, variable: str, prefix: str) -> None:
    checked = 0
    for function in step.context.stash:
        values = function.get("values") or {}
        env = _first(values.get("environment")).get("variables") or {}
        if variable not in env:
            continue
        checked += 1
        for policy in _role_policies(values.get("role", "")):
            for statement in _statements(policy["values"].get("policy")):
                actions = [str(a) for a in _as_list(statement.get("Action"))]
                bad = [a for a in actions if a.startswith(prefix) or a == "*"]
                if bad:
                    Error(step, f"{function['address']} may {bad} via {policy['address']}.")
    if checked == 0:
        Error(step, f"No function has a {variable} variable.")


def _module_tags() -> dict[str, str]:
    """The tags given to the module: the root's `tags` variable, or the literal `tags` of a module call."""
    raw = world.config.terraform.raw
    tags: dict[str, str] = dict((raw.get("variables", {}).get("tags") or {}).get("value") or {})
    calls = raw.get("configuration", {}).get("root_module", {}).get("module_calls", {})
    for call in calls.values():
        constant = call.get("expressions", {}).get("tags", {}).get("constant_value")
        if isinstance(constant, dict):
            tags.update(constant)
    return tags


@then("it must carry the module's tags and a Name tag")
def carries_module_tags(step: Any) -> None:
    expected = _module_tags()
    for resource in step.context.stash:
        tags = (resource.get("values") or {}).get("tags") or {}
        missing = {k: v for k, v in expected.items() if tags.get(k) != v}
        if missing or not tags.get("Name"):
            Error(step, f"{resource.get('address')}: tags {tags} lack {missing or 'a Name tag'}.")


@then("each app client's id and secret are stored in a secret of this configuration")
def clients_stored_in_secrets(step: Any) -> None:
    stored = []
    for version in _resources_of_type("aws_secretsmanager_secret_version"):
        value = version["values"].get("secret_string")
        if isinstance(value, str):  # terraform-compliance may have parsed the JSON string already
            try:
                value = json.loads(value)
            except ValueError:
                continue
        stored.append(value)
    for client in step.context.stash:
        values = client.get("values") or {}
        wanted = {"client_id": values.get("id"), "client_secret": values.get("client_secret")}
        if not any(all(s.get(k) == v for k, v in wanted.items()) for s in stored if isinstance(s, dict)):
            Error(step, f"{client.get('address')}: no secret of this configuration holds its id and secret.")


def _arns(resource_type: str) -> set[Any]:
    return {r["values"].get("arn") for r in _resources_of_type(resource_type)}


@then("each secret has a rotation of 1 to 1000 days by a function of this configuration")
def secrets_rotate(step: Any) -> None:
    functions = _arns("aws_lambda_function")
    rotations = _resources_of_type("aws_secretsmanager_secret_rotation")
    for secret in step.context.stash:
        values = secret.get("values") or {}
        names = {values.get("arn"), values.get("id")} - {None}
        mine = [r for r in rotations if r["values"].get("secret_id") in names]
        if not mine:
            Error(step, f"{secret.get('address')} has no rotation.")
            continue
        rotation = mine[0]["values"]
        days = _first(rotation.get("rotation_rules")).get("automatically_after_days")
        if rotation.get("rotation_lambda_arn") not in functions:
            Error(
                step, f"{secret.get('address')} rotates with {rotation.get('rotation_lambda_arn')}, not ours."
            )
        if not isinstance(days, int) or not 1 <= days <= 1000:
            Error(step, f"{secret.get('address')} rotates every {days!r} days, not 1-1000.")


# The pattern the module may use instead of listing every client secret (IAM's 10,240 characters of
# inline policy per role, Lambda's 20 KB resource policy): the deployment's secrets by name prefix,
# "arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-*", never a bare "*" name.
_SECRET_PREFIX_PATTERN = re.compile(
    r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-\*"
)
POOL_TAG = "secretsmanager:ResourceTag/CognitoUserPoolId"


def _covers_ours_only(pattern: str, secrets: set[Any]) -> bool:
    """A name-prefix pattern that covers every secret of this configuration."""
    if not _SECRET_PREFIX_PATTERN.fullmatch(pattern) or not secrets:
        return False
    return all(str(arn).startswith(pattern[:-1]) for arn in secrets)


def _held_to_pool(statement: Json, pools: set[Any]) -> bool:
    """The statement's StringEquals condition on the secrets' pool tag names only pools of this
    configuration."""
    values = _as_list(((statement.get("Condition") or {}).get("StringEquals") or {}).get(POOL_TAG))
    return bool(values) and set(values) <= pools


def _pool_ids() -> set[Any]:
    return {r["values"].get("id") for r in _resources_of_type("aws_cognito_user_pool")}


@then("a role that may change Cognito client secrets touches only this pool and these secrets")
def rotation_role_scope(step: Any) -> None:
    pools, secrets = _arns("aws_cognito_user_pool"), _arns("aws_secretsmanager_secret")
    pool_ids = _pool_ids()
    checked = 0
    for address, statements in _policies(step):
        actions = [str(a) for s in statements for a in _as_list(s.get("Action"))]
        if not any(a.startswith("cognito-idp:") and "ClientSecret" in a for a in actions):
            continue
        checked += 1
        for statement in statements:
            acts = [str(a) for a in _as_list(statement.get("Action"))]
            resources = set(_as_list(statement.get("Resource")))
            if any(a.startswith("cognito-idp:") for a in acts) and not resources <= pools:
                Error(step, f"{address}: Cognito actions on {sorted(resources - pools)}, not this pool.")
            if not any(a.startswith("secretsmanager:") for a in acts):
                continue
            ours = all(
                r in secrets or (_covers_ours_only(str(r), secrets) and _held_to_pool(statement, pool_ids))
                for r in resources
            )
            if not resources or not ours:
                Error(
                    step,
                    f"{address}: Secrets Manager actions on {sorted(resources)}: neither secrets of this "
                    "configuration nor its name prefix held to its pool's tag.",
                )
    if checked == 0:
        Error(step, "No role may change Cognito client secrets: the rotation function is missing.")


@then("each permission of Secrets Manager is held to this account and to the secrets of this configuration")
def secretsmanager_permissions(step: Any) -> None:
    secrets = _arns("aws_secretsmanager_secret")
    accounts = {str(arn).split(":")[4] for arn in secrets if str(arn).count(":") >= 5}
    found = 0
    for permission in step.context.stash:
        values = permission.get("values") or {}
        if values.get("principal") != "secretsmanager.amazonaws.com":
            continue
        found += 1
        source = values.get("source_arn")
        if source not in secrets and not _covers_ours_only(str(source), secrets):
            Error(step, f"{permission.get('address')}: source_arn {source} is not (a prefix of) ours.")
        if str(values.get("source_account")) not in accounts:
            Error(step, f"{permission.get('address')}: source_account {values.get('source_account')!r}.")
    if found == 0:
        Error(step, "No permission lets Secrets Manager invoke the rotation function.")


@then(
    'each policy statement allowing "{action}" grants exact secret ARNs only, or the name prefix of '
    "this configuration's secrets held to its pool's tag"
)
def statements_grant_exact_secrets_or_held_prefix(step: Any, action: str) -> None:
    exact = re.compile(
        r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}"
    )
    secrets, pool_ids = _arns("aws_secretsmanager_secret"), _pool_ids()
    for address, statements in _policies(step):
        for statement in statements:
            if action not in [str(a) for a in _as_list(statement.get("Action"))]:
                continue
            resources = [str(r) for r in _as_list(statement.get("Resource"))]
            held = _held_to_pool(statement, pool_ids)
            bad = [
                r for r in resources if not (exact.fullmatch(r) or (held and _covers_ours_only(r, secrets)))
            ]
            if bad or not resources:
                Error(
                    step, f"{address}: statement {statement.get('Sid', '?')} grants {action} on {resources}."
                )


def _configured_resources(module: Json, prefix: str = "") -> Iterator[tuple[str, Json]]:
    for resource in module.get("resources", []):
        yield prefix + resource.get("address", ""), resource
    for name, call in (module.get("module_calls") or {}).items():
        yield from _configured_resources(call.get("module") or {}, f"{prefix}module.{name}.")


@then("its configuration depends on the module that writes the secrets' first values")
def rotation_after_first_values(step: Any) -> None:
    root = world.config.terraform.raw.get("configuration", {}).get("root_module", {})
    writers = {
        address.rsplit(".aws_secretsmanager_secret_version.", 1)[0]
        for address, _ in _configured_resources(root)
        if ".aws_secretsmanager_secret_version." in address
    }
    kind = "aws_secretsmanager_secret_rotation"
    rotations = [(a, r) for a, r in _configured_resources(root) if r.get("type") == kind]
    if not rotations:
        Error(step, "No rotation is configured.")
    for address, rotation in rotations:
        prefix = address.rpartition("aws_secretsmanager_secret_rotation")[0]
        needed = {w[len(prefix) :] for w in writers if w.startswith(prefix)}
        if not needed or not needed <= set(rotation.get("depends_on") or []):
            has = rotation.get("depends_on")
            message = f"{rotation.get('address')} may run before the secrets' first values exist"
            Error(step, f"{message}: depends_on {has}, needs {sorted(needed)}.")


@then('each policy statement allowing "{action}" has a "{test}" condition on "{variable}"')
def statements_with_action_have_condition(step: Any, action: str, test: str, variable: str) -> None:
    found = 0
    for address, statements in _policies(step):
        for statement in statements:
            if action not in [str(a) for a in _as_list(statement.get("Action"))]:
                continue
            found += 1
            condition = statement.get("Condition") or {}
            values = (condition.get(test) or {}).get(variable) if isinstance(condition, dict) else None
            if not values or any(str(v) in {"*", "*#*"} for v in _as_list(values)):
                Error(step, f"{address}: {action} without a {test} condition on {variable} naming its keys.")
    if found == 0:
        Error(step, f"No statement allows {action}.")


@then("each function has an alarm on its Errors metric")
def functions_have_error_alarms(step: Any) -> None:
    watched = {
        (a["values"].get("dimensions") or {}).get("FunctionName")
        for a in _resources_of_type("aws_cloudwatch_metric_alarm")
        if a["values"].get("namespace") == "AWS/Lambda" and a["values"].get("metric_name") == "Errors"
    }
    for function in step.context.stash:
        name = (function.get("values") or {}).get("function_name")
        if name not in watched:
            Error(step, f"{function.get('address')} ({name}) has no alarm on its AWS/Lambda Errors metric.")


@then("when any alarm has actions every alarm notifies the same topic on alarm and on ok")
def alarms_share_their_actions(step: Any) -> None:
    alarms = step.context.stash
    given = set().union(*(set(_as_list((a.get("values") or {}).get("alarm_actions"))) for a in alarms))
    given |= _arns("aws_sns_topic") - {None}
    if not given:
        return  # no topic given: the alarms only change state
    for alarm in alarms:
        values = alarm.get("values") or {}
        for kind in ("alarm_actions", "ok_actions"):
            actions = set(_as_list(values.get(kind)))
            if actions != given:
                address = alarm.get("address")
                Error(step, f"{address}: {kind} {sorted(actions)}, not the topic {sorted(given)}.")


# An IAM role ARN (IAM's role path and name rules); anything else as a principal (an account, "*", a
# user, a session, a service) is wider than one role, or not a caller we expect.
ROLE_ARN = re.compile(
    r"arn:aws(-cn|-us-gov|-iso|-iso-[a-z]|-eusc)?:iam::[0-9]{12}:role/([\x21-\x7E]{1,510}/)?[\w+=,.@-]{1,64}",
    re.ASCII,
)
CONSUMER_ACTIONS = {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}


@then("each secret policy allows named IAM roles to get and describe its secret, and nothing else")
def secret_policies_name_roles_only(step: Any) -> None:
    for address, statements in _policies(step):
        if not statements:
            Error(step, f"{address}: the policy has no statement.")
        for statement in statements:
            sid = statement.get("Sid", "?")
            principal = statement.get("Principal")
            roles = _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
            if not isinstance(principal, dict) or set(principal) != {"AWS"} or not roles:
                Error(step, f"{address}: statement {sid} has principal {principal!r}, not a list of roles.")
            for role in roles:
                text = str(role)
                if "*" in text or "?" in text or not ROLE_ARN.fullmatch(text):
                    Error(step, f"{address}: statement {sid} names {text!r}, not one IAM role.")
            actions = {str(a) for a in _as_list(statement.get("Action"))}
            if statement.get("Effect") != "Allow" or not actions or not actions <= CONSUMER_ACTIONS:
                Error(step, f"{address}: statement {sid} allows {sorted(actions)}.")
            if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
                Error(step, f"{address}: statement {sid} uses a Not element.")
            if _as_list(statement.get("Resource")) != ["*"]:
                Error(
                    step, f"{address}: statement {sid} names {statement.get('Resource')!r}, not its secret."
                )


@then("each secret policy is put with block_public_policy")
def secret_policies_block_public(step: Any) -> None:
    for resource in step.context.stash:
        if (resource.get("values") or {}).get("block_public_policy") is not True:
            Error(step, f"{resource.get('address')}: block_public_policy is not true.")


@then("the secret each policy is attached to is encrypted with a KMS key given by its ARN")
def shared_secrets_use_a_cmk(step: Any) -> None:
    secrets = {s["values"].get("arn"): s for s in _resources_of_type("aws_secretsmanager_secret")}
    key_arn = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+")
    for resource in step.context.stash:
        values = resource.get("values") or {}
        secret = secrets.get(values.get("secret_arn"))
        if secret is None:
            Error(
                step, f"{resource.get('address')}: {values.get('secret_arn')} is not a secret of this plan."
            )
            continue
        key = str(secret["values"].get("kms_key_id") or "")
        if not key_arn.fullmatch(key):
            Error(step, f"{secret['address']} is shared but encrypted with {key or 'aws/secretsmanager'!r}.")

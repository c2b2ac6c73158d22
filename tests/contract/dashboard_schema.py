"""A JSON Schema of a CloudWatch dashboard body, written from AWS's "Dashboard Body Structure and Syntax"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html),
for the widget types this module writes (metric and log) and the properties it uses. Each rule below
quotes the page. Anything the page does not allow for those types is refused (``additionalProperties``):
PutDashboard answers such a body with ``InvalidParameterInput`` and its ``DashboardValidationMessages``,
which moto never does.
"""

from __future__ import annotations

from typing import Any

# "The Id must start with a lowercase letter." The characters: MetricDataQuery.Id, "letters, numbers, and
# underscore. The first character must be a lowercase letter." (API reference, MetricDataQuery)
METRIC_ID = {"type": "string", "pattern": "^[a-z][A-Za-z0-9_]{0,254}$"}

# Rendering properties: "color", "label", "period" ("A multiple of 60, with a minimum of 60."), "stat",
# "visible", "yAxis" ("Valid Values: left | right"); "id", "region", "accountId" per metric; and the page's
# own examples put "id" and "label" there too.
STAT = {"type": "string", "pattern": "^(SampleCount|Average|Sum|Minimum|Maximum|p[0-9]{1,2}(\\.[0-9]+)?)$"}
PERIOD = {"type": "integer", "minimum": 60, "multipleOf": 60}
RENDERING = {
    "type": "object",
    "properties": {
        "color": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
        "label": {"type": "string"},
        "period": PERIOD,
        "stat": STAT,
        "visible": {"type": "boolean"},
        "yAxis": {"enum": ["left", "right"]},
        "id": METRIC_ID,
        "region": {"type": "string"},
        "accountId": {"type": "string"},
    },
    "additionalProperties": False,
}
# "[ Namespace, MetricName, [{DimensionName,DimensionValue}...] {Rendering Properties Object} ]": strings,
# then at most one rendering object (that it comes last is checked beside the schema: rules.py).
METRIC_ROW = {
    "type": "array",
    "minItems": 2,
    "prefixItems": [{"type": "string", "minLength": 1}, {"type": "string", "minLength": 1}],
    "items": {"anyOf": [{"type": "string"}, RENDERING]},
    "not": {"contains": {"type": "object"}, "minContains": 2},
}
# "[ {"expression" : "expression", ["label" : "label"] , ["id" : "id"] } ]"
EXPRESSION_ROW = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1,
    "items": {
        "type": "object",
        "required": ["expression"],
        "properties": {
            "expression": {"type": "string", "minLength": 1, "maxLength": 2048},
            "label": {"type": "string"},
            "id": METRIC_ID,
            "period": PERIOD,
            "stat": STAT,
            "visible": {"type": "boolean"},
            "yAxis": {"enum": ["left", "right"]},
            "color": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
            "region": {"type": "string"},
        },
        "additionalProperties": False,
    },
}
METRIC_PROPERTIES = {
    "type": "object",
    # "metrics ... Type: Array of arrays"; "One metrics array can include 0-500 metrics and expressions."
    # "region ... Required: Yes".
    "required": ["metrics", "region"],
    "properties": {
        "metrics": {
            "type": "array",
            "maxItems": 500,
            "items": {"anyOf": [METRIC_ROW, EXPRESSION_ROW]},
        },
        "region": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]$"},
        "title": {"type": "string"},
        "period": PERIOD,
        "stat": STAT,
        "stacked": {"type": "boolean"},
        # "Valid Values: timeSeries | singleValue | gauge | bar | pie | table"
        "view": {"enum": ["timeSeries", "singleValue", "gauge", "bar", "pie", "table"]},
        "yAxis": {"type": "object"},
        "legend": {"type": "object"},
        "liveData": {"type": "boolean"},
    },
    "additionalProperties": False,
}
LOG_PROPERTIES = {
    "type": "object",
    # "region ... Required: Yes"; "query ... Required: Yes (when the widget type is log)".
    "required": ["query", "region"],
    "properties": {
        # "You must pre-pend each log group name with SOURCE. Separate multiple log groups with a pipe
        # character (|)."
        "query": {
            "type": "string",
            "pattern": "^SOURCE '[^']+'( \\| SOURCE '[^']+')* ?\\|",
            "maxLength": 10000,
        },
        "region": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]$"},
        "title": {"type": "string"},
        # "view ... table | timeSeries | bar | pie"
        "view": {"enum": ["table", "timeSeries", "bar", "pie"]},
        "stacked": {"type": "boolean"},
    },
    "additionalProperties": False,
}
WIDGET = {
    "type": "object",
    # "type ... Valid Values: metric | text | log | alarm | explorer ... Required: Yes"; "properties ...
    # Required: Yes". This module writes metric and log widgets only.
    "required": ["type", "properties"],
    "properties": {
        "type": {"enum": ["metric", "log"]},
        # "x ... Valid Values: 0-23"; "y ... Any integer, 0 or higher"; "width ... 1-24"; "height ... 1-1000"
        "x": {"type": "integer", "minimum": 0, "maximum": 23},
        "y": {"type": "integer", "minimum": 0},
        "width": {"type": "integer", "minimum": 1, "maximum": 24},
        "height": {"type": "integer", "minimum": 1, "maximum": 1000},
        "properties": {"type": "object"},
    },
    # "x ... Required: Yes, if y is specified"; "y ... Required: Yes, if x is specified."
    "dependentRequired": {"x": ["y"], "y": ["x"]},
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "metric"}}},
            "then": {"properties": {"properties": METRIC_PROPERTIES}},
        },
        {
            "if": {"properties": {"type": {"const": "log"}}},
            "then": {"properties": {"properties": LOG_PROPERTIES}},
        },
    ],
}
DASHBOARD_BODY: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    # "It can include an array of between 0 and 500 widget objects [...] The dashboard must include a
    # widgets array, but that array can be empty."
    "required": ["widgets"],
    "properties": {"widgets": {"type": "array", "maxItems": 500, "items": WIDGET}},
    "additionalProperties": False,
}

"""Planning from real usage: CloudTrail logs, infrastructure code (CloudFormation, Terraform) and policy replay."""

from __future__ import annotations

from .cloudformation import read_cloudformation
from .cloudtrail import CloudTrailFormatError, CloudTrailLog, read_cloudtrail, sample_cloudtrail
from .iac import Finding, Infrastructure, read_infrastructure
from .replay import Replay
from .terraform import read_terraform_plan

__all__ = [
    "CloudTrailFormatError",
    "CloudTrailLog",
    "Finding",
    "Infrastructure",
    "Replay",
    "read_cloudformation",
    "read_cloudtrail",
    "read_infrastructure",
    "read_terraform_plan",
    "sample_cloudtrail",
]

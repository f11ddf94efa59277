"""kmssim: an in-process, deterministic AWS KMS simulator for learning KMS and planning its cost.

>>> import kmssim
>>> sim = kmssim.Simulator(seed=7)
>>> kms = sim.client("kms")
>>> key_id = kms.create_key()["KeyMetadata"]["KeyId"]
>>> blob = kms.encrypt(KeyId=key_id, Plaintext=b"hi")["CiphertextBlob"]
>>> kms.decrypt(CiphertextBlob=blob)["Plaintext"]
b'hi'
"""

from . import choices
from ._errors import (
    AccessDeniedException,
    AlreadyExistsException,
    ConflictException,
    DisabledException,
    DryRunOperationException,
    IncorrectKeyException,
    InvalidAliasNameException,
    InvalidArnException,
    InvalidCiphertextException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    KMSError,
    KMSInvalidMacException,
    KMSInvalidSignatureException,
    KMSInvalidStateException,
    LimitExceededException,
    MalformedPolicyDocumentException,
    NotAuthorizedException,
    NotFoundException,
    TagException,
    ThrottlingException,
    UnsupportedOperationException,
    ValidationException,
)
from ._front import ServiceNotSimulatedError, mock
from ._models import KeySummary
from ._policy import Decision, UnknownActionError, evaluate
from ._pricing import (
    DataFileError,
    Estimate,
    EstimateInputError,
    PricingTable,
    QuotaReport,
    QuotaTable,
    bill_from_usage,
    estimate,
    load_pricing,
    load_quotas,
    price_class,
    quota_check,
    quota_limits_for,
    scenarios,
    sweep,
)
from ._simulator import Simulator
from ._trail import AuditEvent, Trail
from ._usage import (
    CloudTrailFormatError,
    CloudTrailLog,
    Finding,
    Infrastructure,
    Replay,
    read_cloudformation,
    read_cloudtrail,
    read_infrastructure,
    read_terraform_plan,
    sample_cloudtrail,
)

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedException",
    "AlreadyExistsException",
    "AuditEvent",
    "CloudTrailFormatError",
    "CloudTrailLog",
    "ConflictException",
    "DataFileError",
    "Decision",
    "DisabledException",
    "DryRunOperationException",
    "Estimate",
    "EstimateInputError",
    "Finding",
    "IncorrectKeyException",
    "Infrastructure",
    "InvalidAliasNameException",
    "InvalidArnException",
    "InvalidCiphertextException",
    "InvalidGrantIdException",
    "InvalidGrantTokenException",
    "InvalidKeyUsageException",
    "InvalidMarkerException",
    "KMSError",
    "KMSInvalidMacException",
    "KMSInvalidSignatureException",
    "KMSInvalidStateException",
    "KeySummary",
    "LimitExceededException",
    "MalformedPolicyDocumentException",
    "NotAuthorizedException",
    "NotFoundException",
    "PricingTable",
    "QuotaReport",
    "QuotaTable",
    "Replay",
    "ServiceNotSimulatedError",
    "Simulator",
    "TagException",
    "ThrottlingException",
    "Trail",
    "UnknownActionError",
    "UnsupportedOperationException",
    "ValidationException",
    "bill_from_usage",
    "choices",
    "estimate",
    "evaluate",
    "load_pricing",
    "load_quotas",
    "mock",
    "price_class",
    "quota_check",
    "quota_limits_for",
    "read_cloudformation",
    "read_cloudtrail",
    "read_infrastructure",
    "read_terraform_plan",
    "sample_cloudtrail",
    "scenarios",
    "sweep",
]

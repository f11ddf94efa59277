"""AWS KMS errors, one class per AWS error code.

The simulator raises these inside; the boto3 client front turns them into the client's own modelled
exceptions (``client.exceptions.NotFoundException``...) carrying the same code and message. Each class also
subclasses the matching Python built-in, so plain ``except LookupError`` works too.

Exception tree::

    KMSError (Exception)                      .code, .message
    ├── NotFoundException (LookupError)
    ├── AlreadyExistsException
    ├── DisabledException
    ├── KMSInvalidStateException
    ├── IncorrectKeyException
    ├── IncorrectKeyMaterialException
    ├── ExpiredImportTokenException
    ├── InvalidImportTokenException
    ├── InvalidCiphertextException (ValueError)
    ├── InvalidKeyUsageException
    ├── KMSInvalidSignatureException
    ├── KMSInvalidMacException
    ├── LimitExceededException
    ├── UnsupportedOperationException
    ├── ConflictException
    ├── DryRunOperationException
    ├── TagException (ValueError)
    ├── AccessDeniedException (PermissionError)
    ├── NotAuthorizedException (PermissionError)
    ├── ThrottlingException
    ├── CustomKeyStore*, CloudHsmCluster*, IncorrectTrustAnchor, XksProxy*, XksKey* (custom key stores; the
    │   *NotFoundException ones also LookupError)
    └── ValidationError-like, all ValueError:
        ├── ValidationException
        ├── InvalidAliasNameException
        ├── InvalidArnException
        ├── InvalidGrantIdException
        ├── InvalidGrantTokenException
        ├── InvalidMarkerException
        └── MalformedPolicyDocumentException

Codes and conditions: the botocore KMS model (``service-2.json``) and
https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "AccessDeniedException",
    "AlreadyExistsException",
    "CloudHsmClusterInUseException",
    "CloudHsmClusterInvalidConfigurationException",
    "CloudHsmClusterNotActiveException",
    "CloudHsmClusterNotFoundException",
    "CloudHsmClusterNotRelatedException",
    "ConflictException",
    "CustomKeyStoreHasCMKsException",
    "CustomKeyStoreInvalidStateException",
    "CustomKeyStoreNameInUseException",
    "CustomKeyStoreNotFoundException",
    "DisabledException",
    "DryRunOperationException",
    "ExpiredImportTokenException",
    "IncorrectKeyException",
    "IncorrectKeyMaterialException",
    "IncorrectTrustAnchorException",
    "InvalidAliasNameException",
    "InvalidArnException",
    "InvalidCiphertextException",
    "InvalidGrantIdException",
    "InvalidGrantTokenException",
    "InvalidImportTokenException",
    "InvalidKeyUsageException",
    "InvalidMarkerException",
    "KMSError",
    "KMSInvalidMacException",
    "KMSInvalidSignatureException",
    "KMSInvalidStateException",
    "LimitExceededException",
    "MalformedPolicyDocumentException",
    "NotAuthorizedException",
    "NotFoundException",
    "TagException",
    "ThrottlingException",
    "UnsupportedOperationException",
    "ValidationException",
    "XksKeyAlreadyInUseException",
    "XksKeyInvalidConfigurationException",
    "XksKeyNotFoundException",
    "XksProxyIncorrectAuthenticationCredentialException",
    "XksProxyUriEndpointInUseException",
    "XksProxyUriInUseException",
    "XksProxyUriUnreachableException",
    "XksProxyVpcEndpointServiceInUseException",
    "error_class",
]


class KMSError(Exception):
    """Base of every error the simulator raises for a request; ``code`` is AWS's error code."""

    code: ClassVar[str] = "KMSInternalException"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code


class NotFoundException(KMSError, LookupError):
    code = "NotFoundException"


class AlreadyExistsException(KMSError):
    code = "AlreadyExistsException"


class DisabledException(KMSError):
    code = "DisabledException"


class KMSInvalidStateException(KMSError):
    code = "KMSInvalidStateException"


class IncorrectKeyException(KMSError):
    code = "IncorrectKeyException"


class IncorrectKeyMaterialException(KMSError):
    """ImportKeyMaterial: the material is not what the key expects (API_ImportKeyMaterial)."""

    code = "IncorrectKeyMaterialException"


class ExpiredImportTokenException(KMSError):
    """ImportKeyMaterial: the import token is past its ParametersValidTo (API_ImportKeyMaterial)."""

    code = "ExpiredImportTokenException"


class InvalidImportTokenException(KMSError):
    """ImportKeyMaterial: the import token is malformed or was issued for another key (API_ImportKeyMaterial)."""

    code = "InvalidImportTokenException"


class InvalidCiphertextException(KMSError, ValueError):
    code = "InvalidCiphertextException"


class InvalidKeyUsageException(KMSError):
    code = "InvalidKeyUsageException"


class KMSInvalidSignatureException(KMSError):
    code = "KMSInvalidSignatureException"


class KMSInvalidMacException(KMSError):
    code = "KMSInvalidMacException"


class LimitExceededException(KMSError):
    code = "LimitExceededException"


class UnsupportedOperationException(KMSError):
    code = "UnsupportedOperationException"


class ConflictException(KMSError):
    code = "ConflictException"


class DryRunOperationException(KMSError):
    code = "DryRunOperationException"

    def __init__(
        self, message: str = "The request would have succeeded, but the DryRun option is set."
    ) -> None:
        super().__init__(message)


class TagException(KMSError, ValueError):
    code = "TagException"


class AccessDeniedException(KMSError, PermissionError):
    code = "AccessDeniedException"


class NotAuthorizedException(KMSError, PermissionError):
    code = "NotAuthorizedException"


class ThrottlingException(KMSError):
    code = "ThrottlingException"


class ValidationException(KMSError, ValueError):
    code = "ValidationException"


class InvalidAliasNameException(KMSError, ValueError):
    code = "InvalidAliasNameException"


class InvalidArnException(KMSError, ValueError):
    code = "InvalidArnException"


class InvalidGrantIdException(KMSError, ValueError):
    code = "InvalidGrantIdException"


class InvalidGrantTokenException(KMSError, ValueError):
    code = "InvalidGrantTokenException"


class InvalidMarkerException(KMSError, ValueError):
    code = "InvalidMarkerException"


class MalformedPolicyDocumentException(KMSError, ValueError):
    code = "MalformedPolicyDocumentException"


# -- custom key stores (API_CreateCustomKeyStore and the other key-store pages) ------------------------------


class CustomKeyStoreNotFoundException(KMSError, LookupError):
    code = "CustomKeyStoreNotFoundException"


class CustomKeyStoreNameInUseException(KMSError):
    code = "CustomKeyStoreNameInUseException"


class CustomKeyStoreInvalidStateException(KMSError):
    code = "CustomKeyStoreInvalidStateException"


class CustomKeyStoreHasCMKsException(KMSError):
    code = "CustomKeyStoreHasCMKsException"


class CloudHsmClusterNotFoundException(KMSError, LookupError):
    code = "CloudHsmClusterNotFoundException"


class CloudHsmClusterNotActiveException(KMSError):
    code = "CloudHsmClusterNotActiveException"


class CloudHsmClusterInUseException(KMSError):
    code = "CloudHsmClusterInUseException"


class CloudHsmClusterInvalidConfigurationException(KMSError):
    code = "CloudHsmClusterInvalidConfigurationException"


class CloudHsmClusterNotRelatedException(KMSError):
    code = "CloudHsmClusterNotRelatedException"


class IncorrectTrustAnchorException(KMSError):
    code = "IncorrectTrustAnchorException"


class XksProxyUriInUseException(KMSError):
    code = "XksProxyUriInUseException"


class XksProxyUriEndpointInUseException(KMSError):
    code = "XksProxyUriEndpointInUseException"


class XksProxyVpcEndpointServiceInUseException(KMSError):
    code = "XksProxyVpcEndpointServiceInUseException"


class XksProxyUriUnreachableException(KMSError):
    code = "XksProxyUriUnreachableException"


class XksProxyIncorrectAuthenticationCredentialException(KMSError):
    code = "XksProxyIncorrectAuthenticationCredentialException"


class XksKeyAlreadyInUseException(KMSError):
    code = "XksKeyAlreadyInUseException"


class XksKeyNotFoundException(KMSError, LookupError):
    code = "XksKeyNotFoundException"


class XksKeyInvalidConfigurationException(KMSError):
    code = "XksKeyInvalidConfigurationException"


#: Every class above, by its code (each is a direct subclass of KMSError, defined in this module).
_BY_CODE: dict[str, type[KMSError]] = {cls.code: cls for cls in KMSError.__subclasses__()}


def error_class(code: str) -> type[KMSError]:
    """The exception class for an AWS error code (``KMSError`` for codes not modelled here)."""
    return _BY_CODE.get(code, KMSError)

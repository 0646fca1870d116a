"""The tutorial's defaults, written once: every module that needs one imports it from here.

These are the values the APS tutorial ("Protect an API with Client Credential Flow") and
``gwa generate-config`` use when the learner does not choose otherwise. No textual import.
"""

from __future__ import annotations

TEST_HOST = "api-gov-bc-ca.test.api.gov.bc.ca"  # APS test, the training instance
PROD_HOST = "api.gov.bc.ca"

DEFAULT_TEMPLATE = "client-credentials-shared-idp"
DEFAULT_ORG = "ministry-of-citizens-services"
DEFAULT_ORG_UNIT = "databc"
DEFAULT_OUT_FILE = "gw-config.yaml"  # gwa generate-config's --out default
WIZARD_OUT_FILE = "gw-config-client-cred.yaml"  # what the wizard's Template step proposes
DEFAULT_UPSTREAM = "https://httpbin.org"  # the tutorial's public echo service
EXAMPLE_SERVICE = "my-service"

# The API URL the tutorial shows before the learner has one of their own.
API_URL_PLACEHOLDER = "https://<MYSERVICE>-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"

"""The kubexpose policy pack: `pulumi preview --policy-pack policy/` (constructing it starts the pack's server)."""

from kubexpose_policies import POLICIES  # type: ignore[import-not-found]  # beside this file in the pack
from pulumi_policy import PolicyPack

PolicyPack(name="kubexpose-exposure", policies=POLICIES)

"""The kubexpose policy pack: `pulumi preview --policy-pack policy/` (constructing it starts the pack's server)."""

from kubexpose_policies import POLICIES
from pulumi_policy import PolicyPack

PolicyPack(name="kubexpose-exposure", policies=POLICIES)

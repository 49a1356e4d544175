"""The pipeline targets the tests run over, read from the target registry: a target added as one
`target_<name>.py` is covered by every contract test parametrised from here, with no list to edit.
"""

from __future__ import annotations

from streamforge.pipelines.targets import TARGETS as REGISTERED

TARGETS = sorted(REGISTERED)
# (target, language) for every language a target declares templates for
TARGET_LANGUAGES = [(name, language) for name in TARGETS for language in REGISTERED[name].templates]
# Deployable targets run on Databricks, so their SQL is Databricks SQL; the others run on Spark.
DIALECT = {name: "databricks" if REGISTERED[name].deployable else "spark" for name in TARGETS}
BUNDLE_TARGETS = [name for name in TARGETS if REGISTERED[name].deployable]


def languages(target: str) -> tuple[str, ...]:
    return tuple(REGISTERED[target].templates)

"""The `profile:` key of a fact or change feed (DESIGN §3): load that follows the clock.

```yaml
profile:
  hourly: [1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 7, 8, 9, 8, 6, 4, 3, 2, 1]  # UTC hours
  weekday: [5, 5, 5, 5, 6, 3, 2]                                                   # Monday first
  bursts: {probability: 0.01, multiplier: 5}
  trend: 0.01   # +1 % a day
```
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from streamforge.spec.model import LoadProfile
from streamforge.spec.profile_factors import cycles_lasting as cycles_lasting
from streamforge.spec.profile_factors import mean_factor as mean_factor
from streamforge.spec.profile_factors import peak_factor as peak_factor

Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
MAX_MULTIPLIER = 1_000.0  # a burst of more than 1000x the average is a different table
MAX_TREND = 1.0  # +100 % a day; the rows of a long run would overflow any landing area


class BurstsModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    probability: float = Field(ge=0, le=1, allow_inf_nan=False)
    multiplier: float = Field(gt=0, le=MAX_MULTIPLIER, allow_inf_nan=False)


class ProfileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hourly: list[Weight] | None = None
    weekday: list[Weight] | None = None
    bursts: BurstsModel | None = None
    trend: float = Field(default=0.0, gt=-1, le=MAX_TREND, allow_inf_nan=False)

    @field_validator("hourly")
    @classmethod
    def _hourly(cls, value: list[float] | None) -> list[float] | None:
        return _shape(value, 24, "hourly", "one per UTC hour, 00:00-01:00 first")

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: list[float] | None) -> list[float] | None:
        return _shape(value, 7, "weekday", "one per day, Monday first")

    def to_spec(self, line: int) -> LoadProfile:
        bursts = self.bursts
        return LoadProfile(
            hourly=tuple(self.hourly) if self.hourly is not None else (1.0,) * 24,
            weekday=tuple(self.weekday) if self.weekday is not None else (1.0,) * 7,
            burst_probability=bursts.probability if bursts else 0.0,
            burst_multiplier=bursts.multiplier if bursts else 1.0,
            trend=self.trend,
            line=line,
        )


def _shape(value: list[float] | None, length: int, key: str, what: str) -> list[float] | None:
    if value is None:
        return None
    if len(value) != length:
        raise ValueError(f"{key} needs {length} weights ({what}), not {len(value)}")
    if not math.fsum(value) > 0:
        raise ValueError(f"{key} weights are all 0: no row would ever be written; raise some")
    return value

from datetime import UTC, datetime

from tandem.model.calendar import cycles_of_year, next_cycle
from tandem.model.tenant import Tenant


def test_cycles_start_on_the_nth_weekday_in_the_tenants_time_zone(tenant: Tenant) -> None:
    cycles = cycles_of_year(tenant, 2027)
    assert [c.id for c in cycles] == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    # Second Monday of January 2027 is the 11th; 09:00 in Paris is 08:00 UTC in winter.
    assert cycles[0].starts.astimezone(UTC) == datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
    # ...and 07:00 UTC in summer time.
    assert cycles[2].starts.astimezone(UTC) == datetime(2027, 7, 12, 7, 0, tzinfo=UTC)


def test_next_cycle_crosses_the_year_end(tenant: Tenant) -> None:
    assert next_cycle(tenant, datetime(2026, 11, 23, tzinfo=UTC)).id == "2027-Q1"
    assert next_cycle(tenant, datetime(2027, 1, 11, 8, 0, tzinfo=UTC)).id == "2027-Q2"
    assert next_cycle(tenant, datetime(2027, 1, 11, 7, 59, tzinfo=UTC)).id == "2027-Q1"

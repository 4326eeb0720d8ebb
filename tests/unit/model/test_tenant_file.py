import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from infra import tenant_files
from tandem.model import guides
from tandem.model.tenant import (
    BandFormat,
    Deployment,
    Tenant,
    TenantFileError,
    from_functions,
    load_tenant,
)
from tandem.model.validation import parse

GOOD = {
    "name": "acme",
    "organization": "Acme",
    "sender": "coaching@acme.example",
    "timezone": "Europe/Paris",
    "hr_contacts": [{"name": "Hana", "email": "hana@acme.example"}],
    "levels": ["Manager"],
}


def write(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({**GOOD, **changes}))
    return path


def test_every_shipped_tenant_file_is_valid() -> None:
    assert tenant_files.tenant_names()
    for name in tenant_files.tenant_names():
        assert tenant_files.tenant(name).name == name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Base"}, "timezone: unknown time zone 'Mars/Base'"),
        ({"sender": "not-an-address"}, "sender: not a valid email address"),
        ({"levels": []}, "levels: Tuple should have at least 1 item"),
        ({"calendar": {"months": [4, 1]}}, "calendar: months must be distinct month numbers"),
        ({"calendar": {"nth": 6}}, "calendar.nth: Input should be less than or equal to 4"),
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({"name": "other"}, "name: must be 'acme'"),
        (
            {"matching": {"bands": {"Intern": "juniors"}}},
            "bands names levels that are not in levels: Intern",
        ),
        (
            {"matching": {"workday_start": "17:00", "workday_end": "09:00"}},
            "workday_end must be after",
        ),
        (
            {"matching": {"odd_policy": "coin-toss"}},
            "matching.odd_policy: Input should be 'trio' or 'sit_out'",
        ),
        (
            {"matching": {"formats": {"Directors": {"format": "circles"}}}},
            "matching.formats names bands that do not exist: Directors (bands: Manager)",
        ),
        (
            {"matching": {"formats": {"Manager": {"format": "circles", "size": 8}}}},
            "matching.formats.Manager.size: Input should be less than or equal to 6",
        ),
        (
            {"matching": {"formats": {"Manager": {"format": "pairs", "size": 5}}}},
            "size applies to circles only",
        ),
        (
            {"matching": {"formats": {"Manager": {"format": "trios"}}}},
            "matching.formats.Manager.format: Input should be 'pairs' or 'circles'",
        ),
        (
            {"open_signup": {"enabled": True}},
            "open_signup: email_domains: name the company's domains",
        ),
        (
            {"exports": {"min_group_size": 2}},
            "exports.min_group_size: Input should be greater than or equal to 3",
        ),
        (
            {"deployment": {"dashboard": "yes"}},
            "deployment.dashboard: Input should be a valid boolean",
        ),
    ],
)
def test_a_bad_tenant_file_is_refused_naming_the_field(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(TenantFileError) as refused:
        load_tenant(write(tmp_path, **changes))
    assert message in str(refused.value)
    assert str(tmp_path / "acme.json") in str(refused.value)


def test_a_missing_sender_is_named(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text(json.dumps({k: v for k, v in GOOD.items() if k != "sender"}))
    with pytest.raises(TenantFileError, match="sender: missing"):
        load_tenant(path)


def test_unreadable_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "acme.json"
    path.write_text("{ not json")
    with pytest.raises(TenantFileError, match="cannot read the tenant file"):
        load_tenant(path)


def test_an_unknown_tenant_lists_the_known_ones() -> None:
    with pytest.raises(TenantFileError, match=r"tenants: .*demo"):
        tenant_files.tenant("nobody")


def test_levels_matched_together_form_one_band(tmp_path: Path) -> None:
    tenant = load_tenant(
        write(
            tmp_path,
            levels=["Lead", "Manager", "Director"],
            matching={"bands": {"Lead": "first line", "Manager": "first line"}},
        )
    )
    assert tenant.bands() == {"first line": ("Lead", "Manager"), "Director": ("Director",)}


def test_a_band_meets_in_pairs_unless_its_format_says_circles(tmp_path: Path) -> None:
    tenant = load_tenant(
        write(
            tmp_path,
            levels=["Manager", "Director"],
            matching={"formats": {"Director": {"format": "circles"}}},
        )
    )
    assert tenant.format_of("Manager").format == "pairs"
    assert (tenant.format_of("Director").format, tenant.format_of("Director").circle_size) == (
        "circles",
        5,
    )


def test_a_dashboard_only_for_a_tenant_that_asks_for_one(tmp_path: Path) -> None:
    # $36 a year in an account past its three free dashboards: alarms need none
    assert load_tenant(write(tmp_path)).deployment.dashboard is False
    asked = load_tenant(write(tmp_path, deployment={"dashboard": True}))
    assert asked.deployment.dashboard is True


def test_a_tenant_naming_tracks_is_checked_without_reading_the_guides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every function builds its tenant on a cold start; the guide library is read only by
    the pages that show a guide."""
    guides.tracks.cache_clear()

    def unread(name: str) -> None:
        raise AssertionError(f"read {name}")

    monkeypatch.setattr(guides, "read", unread)
    path = write(tmp_path, conversations={"track": "feedback", "tracks_by_cycle": {"2027-Q2": "x"}})
    with pytest.raises(TenantFileError, match="unknown track 'x'"):
        load_tenant(path)
    assert load_tenant(write(tmp_path, conversations={"track": "feedback"})).conversations.track


def test_the_track_ids_are_the_librarys_tracks() -> None:
    assert guides.track_ids() == tuple(sorted(guides.tracks()))


@pytest.mark.parametrize("name", tenant_files.tenant_names())
def test_the_functions_build_the_tenant_that_was_validated_from_their_configuration(
    name: str,
) -> None:
    """They build it without validating it again (`from_functions`, no pydantic on a page's
    path): every field, nested model and type comes back as validation made it."""
    tenant = tenant_files.tenant(name)
    built = from_functions(tenant.for_functions())
    assert built == replace(tenant, deployment=Deployment())
    assert isinstance(built.calendar.time, dt.time) and isinstance(built.levels, tuple)


def test_a_circles_band_and_custom_settings_survive_the_functions_configuration() -> None:
    tenant = parse(
        Tenant,
        {
            **GOOD,
            "levels": ["Manager", "Director"],
            "matching": {
                "min_overlap_hours": 3,
                "workday_start": "08:30",
                "bands": {"Director": "Leaders"},
                "formats": {"Leaders": {"format": "circles", "size": 4}},
            },
            "conversations": {"tracks_by_cycle": {"2027-Q2": "feedback"}},
        },
    )
    built = from_functions(tenant.for_functions())
    assert built == tenant
    assert built.format_for("Director") == BandFormat(format="circles", size=4)
    assert built.matching.min_overlap_hours == 3.0 and isinstance(
        built.matching.min_overlap_hours, float
    )


def test_the_functions_configuration_is_compact_and_keeps_its_letters() -> None:
    """Lambda caps a function's environment at 4 KB: no spaces after separators, and names in
    Japanese or with accents as they are, not as six-character escapes."""
    tenant = parse(Tenant, {**GOOD, "organization": "Société Générale", "levels": ["課長", "部長"]})
    configuration = tenant.for_functions()
    compact = json.dumps(json.loads(configuration), separators=(",", ":"), ensure_ascii=False)
    assert configuration == compact
    assert from_functions(configuration) == tenant

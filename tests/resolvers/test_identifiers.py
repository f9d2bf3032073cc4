import pytest

from pluginhub.resolvers.errors import ErrorCode, UserError
from pluginhub.resolvers.identifiers import PUBLIC_ID, check_public_id, new_public_id, version_from_key, version_key


def test_public_ids_are_16_digits_without_a_leading_zero():
    for _ in range(1000):
        value = new_public_id()
        assert PUBLIC_ID.fullmatch(value) and value[0] != "0"


@pytest.mark.parametrize("bad", ["", "123", "12345678901234567", "123456789012345a", " 1234567890123456"])
def test_malformed_public_ids_are_refused(bad):
    with pytest.raises(UserError) as refused:
        check_public_id(bad, ["input", "pluginId"], "pluginId")
    assert refused.value.code == ErrorCode.VALIDATION and refused.value.field == ["input", "pluginId"]


@pytest.mark.parametrize("smaller, greater", [("1.9.0", "1.10.0"), ("0.0.9", "0.1.0"), ("9.99999.99999", "10.0.0")])
def test_versions_compare_numerically(smaller, greater):
    assert version_key(smaller) < version_key(greater)


@pytest.mark.parametrize("version", ["0.0.0", "1.2.3", "99999.99999.99999"])
def test_version_keys_round_trip(version):
    assert version_from_key(version_key(version)) == version


@pytest.mark.parametrize(
    "bad", ["1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.100000", "v1.2.3", "1.2.-3", "1..3", "１.2.3"]
)
def test_malformed_versions_are_refused(bad):
    with pytest.raises(UserError) as refused:
        version_key(bad, ["input", "version"])
    assert refused.value.code == ErrorCode.VALIDATION

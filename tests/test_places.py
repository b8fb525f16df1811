"""Countries and cities as organisers type them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language import city_index
from bot.language.countries import country_name
from bot.language.places import City, city_info, country_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Germany", "DE"),
        ("germany", "DE"),
        (" GERMANY ", "DE"),
        ("DE", "DE"),
        ("de", "DE"),
        ("DEU", "DE"),
        ("Spain", "ES"),
        ("Iceland", "IS"),
        ("Canada", "CA"),
        ("Brazil", "BR"),
        ("Portugal", "PT"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("USA", "US"),
        ("United States", "US"),
        ("the Netherlands", "NL"),
        ("Russia", "RU"),
        ("South Korea", "KR"),
    ],
)
def test_country_code_from_names_and_codes(text: str, code: str) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["", "Essen", "Korea", "blah", "11 Feb 2027", "<!channel>", "x" * 5000])
def test_country_code_is_none_when_unsure(text: str) -> None:
    assert country_code(text) is None


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("DE", "Germany"),
        ("de", "Germany"),
        ("GB", "United Kingdom"),
        ("KR", "South Korea"),
        ("IS", "Iceland"),
        ("", ""),
    ],
)
def test_country_name(code: str, name: str) -> None:
    assert country_name(code) == name


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("Essen", City("Essen", "DE", "Europe/Berlin")),
        ("essen", City("Essen", "DE", "Europe/Berlin")),
        ("Madrid", City("Madrid", "ES", "Europe/Madrid")),
        ("Toronto", City("Toronto", "CA", "America/Toronto")),
        ("Reykjavik", City("Reykjavík", "IS", "Atlantic/Reykjavik")),
        ("Reykjavík", City("Reykjavík", "IS", "Atlantic/Reykjavik")),
        ("Porto", City("Porto", "PT", "Europe/Lisbon")),
        ("São Paulo", City("São Paulo", "BR", "America/Sao_Paulo")),
        ("Sao Paulo", City("São Paulo", "BR", "America/Sao_Paulo")),
        ("Bilbao", City("Bilbao", "ES", "Europe/Madrid")),
        ("Barcelona", City("Barcelona", "ES", "Europe/Madrid")),
        ("Berlin", City("Berlin", "DE", "Europe/Berlin")),
        ("Lisbon", City("Lisbon", "PT", "Europe/Lisbon")),
        ("Essen, Germany", City("Essen", "DE", "Europe/Berlin")),
    ],
)
def test_city_info_finds_the_groups_cities(name: str, city: City) -> None:
    assert city_info(name) == city


def test_city_info_prefers_the_most_populous_namesake_unless_a_country_is_given() -> None:
    assert city_info("Paris") == City("Paris", "FR", "Europe/Paris")
    paris_us = city_info("Paris", country="United States")
    assert paris_us is not None and paris_us.country_code == "US"
    assert city_info("Paris, US") == paris_us
    assert city_info("Valencia", country="VE") == City("Valencia", "VE", "America/Caracas")


@pytest.mark.parametrize(
    ("name", "country"),
    [("Nowhereville", None), ("Essen", "ES"), ("", None), ("<!channel>", None), ("x" * 5000, None)],
)
def test_city_info_is_none_for_unknown_cities(name: str, country: str | None) -> None:
    assert city_info(name, country=country) is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("España", "ES"),
        ("espana", "ES"),
        ("Brasil", "BR"),
        ("Deutschland", "DE"),
        ("Alemanha", "DE"),
        ("Islande", "IS"),
        ("Islandia", "IS"),
        ("Kanada", "CA"),
        ("Canadá", "CA"),
        ("États-Unis", "US"),
        ("Reino Unido", "GB"),
        ("Portugal", "PT"),
    ],
)
def test_countries_are_known_by_their_names_in_every_language_the_bot_speaks(typed: str, code: str) -> None:
    assert country_code(typed) == code


def test_a_country_is_named_in_the_readers_language_and_exports_keep_english() -> None:
    from bot.language import i18n

    with i18n.speaking("es"):
        assert (country_name("DE"), country_name("BR"), country_name("IS")) == ("Alemania", "Brasil", "Islandia")
        assert country_name("DE", i18n.SOURCE_LANGUAGE) == "Germany", "data in English whoever asks"
    with i18n.speaking("de"):
        assert country_name("ES") == "Spanien"
    assert country_name("DE") == "Germany"


@pytest.mark.parametrize(
    ("name", "city"),
    [
        ("Lisboa", City("Lisbon", "PT", "Europe/Lisbon")),
        ("Múnich", City("Munich", "DE", "Europe/Berlin")),
        ("München", City("Munich", "DE", "Europe/Berlin")),
        ("Munchen", City("Munich", "DE", "Europe/Berlin")),
        ("Colonia", City("Köln", "DE", "Europe/Berlin")),  # not Colonia, New Jersey: its own name, but small
        ("Köln", City("Köln", "DE", "Europe/Berlin")),
        ("Cologne", City("Köln", "DE", "Europe/Berlin")),
        ("Ginebra", City("Geneva", "CH", "Europe/Zurich")),
        ("Genf", City("Geneva", "CH", "Europe/Zurich")),
        ("Genève", City("Geneva", "CH", "Europe/Zurich")),
        ("geneve", City("Geneva", "CH", "Europe/Zurich")),
        ("Londres", City("London", "GB", "Europe/London")),
        ("Nueva York", City("New York City", "US", "America/New_York")),
        ("Nova Iorque", City("New York City", "US", "America/New_York")),
        ("Porto", City("Porto", "PT", "Europe/Lisbon")),  # its own name, before another city's other name
        ("Lisboa, Portugal", City("Lisbon", "PT", "Europe/Lisbon")),
    ],
)
def test_city_info_knows_cities_by_their_names_in_other_languages(name: str, city: City) -> None:
    assert city_info(name) == city


@pytest.mark.parametrize("name", ["lun dun", "MUC", "Лондон", "ロンドン", "lndn"])
def test_transliterations_codes_and_other_scripts_are_not_city_names(name: str) -> None:
    assert city_info(name) is None


def test_a_namesake_in_the_groups_countries_is_preferred_unless_a_country_is_given() -> None:
    assert city_info("Valencia") == City("Valencia", "ES", "Europe/Madrid")  # not the more populous Venezuelan one
    assert city_info("Valencia, VE") == City("Valencia", "VE", "America/Caracas")
    assert city_info("Valencia", country="Venezuela") == City("Valencia", "VE", "America/Caracas")
    assert city_info("Valencia", prefer=()) == City("Valencia", "VE", "America/Caracas"), "the most populous"
    # A namesake more than ten times as big elsewhere still wins: London, Ontario is in a home country.
    assert city_info("London") == City("London", "GB", "Europe/London")
    assert city_info("London, Canada") == City("London", "CA", "America/Toronto")


# The index of cities on disk ---------------------------------------------------------------------


def test_the_index_on_disk_answers_as_the_list_in_memory_does(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.language import places

    names = ["Essen", "Sao Paulo", "Múnich", "Valencia", "Lisboa", "Colonia", "Porto", "London", "Nueva York"]
    on_disk = [city_info(name) for name in names] + [city_info("Valencia", country="VE")]
    assert places._index() is not None, "the index was built"
    monkeypatch.setattr(places, "_index", lambda: None)  # where no index can be built: the list in memory
    in_memory = [city_info(name) for name in names] + [city_info("Valencia", country="VE")]
    assert on_disk == in_memory and None not in on_disk


def test_the_index_is_built_whole_by_a_child_process_and_read_a_name_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "cities.sqlite"
    assert city_index.ensure(path) and path.exists()
    assert not list(path.parent.glob("*.partial")), "only the finished file is left"
    index = city_index.CityIndex(path)
    [(name, country, zone, population, own)] = [row for row in index.lookup("reykjavik") if row[1] == "IS"]
    assert (name, country, zone, own) == ("Reykjavík", "IS", "Atlantic/Reykjavik", True) and population > 100_000
    assert ("Lisbon", "PT", "Europe/Lisbon") in {row[:3] for row in index.lookup("lisboa") if not row[4]}
    assert index.lookup("no such city anywhere") == []


def test_a_small_index_keeps_a_citys_own_name_apart_from_its_other_names(tmp_path: Path) -> None:
    path = tmp_path / "cities.sqlite"
    rows = [
        ("Köln", "DE", "Europe/Berlin", 1_000_000, ["Colonia", "Cologne", "Köln"]),
        ("Colonia", "US", "America/New_York", 17_000, []),
    ]
    city_index.build(path, iter(rows))
    assert city_index.CityIndex(path).lookup("colonia") == [
        ("Köln", "DE", "Europe/Berlin", 1_000_000, False),
        ("Colonia", "US", "America/New_York", 17_000, True),
    ]
    assert [row[0] for row in city_index.CityIndex(path).lookup("koln")] == ["Köln"], "its own name once"


def test_where_the_index_cannot_be_built_the_bot_says_so_and_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert city_index.ensure(blocked / "cities.sqlite") is False
    assert "the list is kept in memory" in caplog.text

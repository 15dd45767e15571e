"""Demo content of the regional map (issue 15): offer, consultation bodies and one analysis per
region, drawn from what ``/work/shared/demo/content.yaml`` says about the networks.

The organisations, practices and activities of the seed are placed on the map: KANS and
its rondetafel in Brussels, Samen1Plan (Minder mazen, meer net) in Limburg, Routeplanner-
inspired trajectbegeleiding in Oost-Vlaanderen, uitstroombegeleiding and NAFT in
West-Vlaanderen, the Antwerp support network and the provincial spijbelactieplan in
Antwerpen, psychische kwetsbaarheid in Vlaams-Brabant. Every row is found by natural key
(slug, name, region and period), so a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from community.accounts.models import Organisation, OrganisationType, Region, Theme
from community.core.extensions import db
from regionmap.analysis import AnalysisFields, save_analysis
from regionmap.models import ConsultationBody, Offer, OfferStatus, RegionalAnalysis

#: Type and municipality of the seed's organisations on the map.
ORGANISATION_PLACES = {
    "vzw AURA": (OrganisationType.YOUTH_CARE, "Heule"),
    "vzw Emmaüs": (OrganisationType.YOUTH_CARE, "Antwerpen"),
    "CAW Antwerpen": (OrganisationType.CAW, "Antwerpen"),
    "Elegast": (OrganisationType.NAFT, "Antwerpen"),
    "Arktos": (OrganisationType.NAFT, "Antwerpen"),
    "VCLB Waas en Dender": (OrganisationType.CLB, "Sint-Niklaas"),
    "Topunt Gent": (OrganisationType.SCHOOL, "Gent"),
    "Zaveldal (buitengewoon secundair onderwijs)": (OrganisationType.SCHOOL, "Brussel"),
    "KANS – Centraal Meldpunt Brussel": (OrganisationType.SUPPORT_NETWORK, "Brussel"),
    "Leer-recht Limburg": (OrganisationType.SUPPORT_NETWORK, "Hasselt"),
    "Agentschap Opgroeien": (OrganisationType.GOVERNMENT, "Brussel"),
    "Departement Onderwijs en Vorming": (OrganisationType.GOVERNMENT, "Brussel"),
}

# (slug, title, kind, region, municipality, themes, ages, routes, providers, text, how to refer)
OFFERS = [
    (
        "naft-west-vlaanderen",
        "NAFT-trajecten West-Vlaanderen",
        "naft",
        "west-vlaanderen",
        "Kortrijk",
        [2],
        (12, 18),
        ["clb", "school"],
        ["vzw AURA"],
        "Naadloos flexibele trajecten: korte programma's die jongeren die dreigen uit te vallen "
        "verbonden houden met school.",
        "De school vraagt aan via het CLB; het CLB bespreekt de vraag met de NAFT-aanbieder.",
    ),
    (
        "uitstroombegeleiding-west-vlaanderen",
        "Uitstroombegeleiding: een afrondend gesprek",
        "uitstroombegeleiding",
        "west-vlaanderen",
        "Brugge",
        [2],
        (16, 18),
        ["school", "clb"],
        ["vzw AURA"],
        "Een toekomstgericht gesprek met jongeren die dreigen ongekwalificeerd uit te stromen: "
        "informatie, keuzecompetenties, andere leerwegen en hulpbronnen.",
        "De school of het CLB meldt de jongere aan.",
    ),
    (
        "trajectbegeleiding-oost-vlaanderen",
        "Netoverstijgende trajectbegeleiding (naar het voorbeeld van Routeplanner)",
        "trajectbegeleiding",
        "oost-vlaanderen",
        "Gent",
        [1, 2],
        (6, 18),
        ["clb"],
        ["VCLB Waas en Dender", "Topunt Gent"],
        "Een CLB-trajectbegeleider zorgt voor continuïteit voor kwetsbare leerlingen die vaak "
        "van school wisselen.",
        "Via het CLB van de huidige school.",
    ),
    (
        "ondersteuningsnetwerk-onderwijs-jeugdzorg-antwerpen",
        "Ondersteuningsnetwerk Onderwijs – Jeugdzorg",
        "ondersteuning",
        "antwerpen",
        "Antwerpen",
        [2],
        (12, 18),
        ["direct", "meldpunt"],
        ["vzw Emmaüs", "CAW Antwerpen", "Elegast", "Arktos"],
        "Een centraal aanspreekpunt tussen onderwijs en welzijn dat hulpverleners adviseert en, "
        "waar het aanbod tekortschiet, alle betrokkenen samenbrengt.",
        "Hulpverleners en scholen nemen rechtstreeks contact op met het centraal meldpunt.",
    ),
    (
        "naft-antwerpen-elegast",
        "Uitvalpreventie (NAFT) Elegast",
        "naft",
        "antwerpen",
        "Antwerpen",
        [2],
        (12, 18),
        ["clb"],
        ["Elegast"],
        "Time-out- en begeleidingstrajecten voor jongeren die dreigen uit te vallen.",
        "Aanmelding door het CLB.",
    ),
    (
        "naft-antwerpen-arktos",
        "Uitvalpreventie (NAFT) Arktos",
        "naft",
        "antwerpen",
        "Antwerpen",
        [2],
        (12, 18),
        ["clb", "school"],
        ["Arktos"],
        "Trajecten op maat om jongeren met school verbonden te houden.",
        "De school meldt aan, in overleg met het CLB.",
    ),
    (
        "spijbelactieplan-antwerpen",
        "Provinciaal spijbelactieplan",
        "meldpunt",
        "antwerpen",
        "",
        [2],
        (12, 18),
        ["school"],
        [],
        "Een integrale aanpak van spijbelen vanuit gedeelde verantwoordelijkheid van school, "
        "CLB, politie, parket en jeugdhulp.",
        "De school volgt de stappen van het actieplan.",
    ),
    (
        "kans-centraal-meldpunt-brussel",
        "KANS – Centraal Meldpunt Brussel",
        "meldpunt",
        "brussel",
        "Brussel",
        [2],
        (12, 25),
        ["meldpunt", "clb", "school"],
        ["KANS – Centraal Meldpunt Brussel"],
        "Leidt leerlingen toe naar het passende aanbod van een netwerk tegen schooluitval, met een "
        "rondetafel met ouders, school en CLB.",
        "School of CLB meldt de leerling aan bij het meldpunt.",
    ),
    (
        "railz-brussel",
        "Railz: gepast onderwijs bij extreem externaliserend gedrag",
        "dagbesteding",
        "brussel",
        "Brussel",
        [2],
        (12, 21),
        ["clb"],
        ["Zaveldal (buitengewoon secundair onderwijs)"],
        "Een aanbod van buitengewoon secundair onderwijs voor leerlingen met extreem "
        "externaliserend gedrag.",
        "Via het CLB.",
    ),
    (
        "samen1plan-limburg",
        "Samen1Plan: Minder mazen, meer net",
        "trajectbegeleiding",
        "limburg",
        "Hasselt",
        [1, 2],
        (3, 18),
        ["school", "clb"],
        ["Leer-recht Limburg"],
        "Een gecoördineerde aanpak met het raamwerk en de online tool van Samen1Plan; de "
        "leerling houdt zelf de regie over zijn ontwikkelingsloopbaan.",
        "De school start een plan samen met het CLB.",
    ),
    (
        "welzijn-in-de-kleuterklas-limburg",
        "Welzijn in de kleuterklas",
        "schoolextern",
        "limburg",
        "Genk",
        [1],
        (2, 6),
        ["school"],
        ["Leer-recht Limburg"],
        "Welzijnspartners krijgen tijdig een plaats in het traject van jonge kinderen en "
        "hun gezin.",
        "De school neemt contact op met het netwerk.",
    ),
    (
        "psychische-kwetsbaarheid-vlaams-brabant",
        "Psychische kwetsbaarheid en schooluitval: vorming en doorverwijzing",
        "psychische_kwetsbaarheid",
        "vlaams-brabant",
        "Leuven",
        [2],
        (12, 18),
        ["clb", "itp"],
        [],
        "Samen met de geestelijke gezondheidszorg: signalen herkennen, het gesprek aangaan en "
        "weten naar wie je doorverwijst.",
        "Via het CLB; voor niet-rechtstreeks toegankelijke hulp via de Intersectorale "
        "Toegangspoort.",
    ),
    (
        "nieuwe-autoriteit-oost-vlaanderen",
        "Vorming: Nieuwe Autoriteit in school en buurt",
        "vorming",
        "oost-vlaanderen",
        "Gent",
        [1, 2],
        (None, None),
        ["direct"],
        [],
        "Eendaagse vorming voor leerkrachten, zorgcoördinatoren en begeleiders over geweldloos "
        "verzet en verbindend gezag.",
        "Inschrijven via de agenda van het lerend netwerk.",
    ),
]

BODIES = [
    (
        "rots-west-vlaanderen",
        "ROTS West-Vlaanderen",
        "west-vlaanderen",
        "beide",
        "Regionaal overleg tegen schooluitval: een casustafel wanneer CLB en jeugdhulp vastzitten.",
        ["vzw AURA"],
    ),
    (
        "rondetafel-kans-brussel",
        "Rondetafel van KANS",
        "brussel",
        "beide",
        "Ouders, school, CLB en trajectaanbieders rond één tafel.",
        ["KANS – Centraal Meldpunt Brussel", "Zaveldal (buitengewoon secundair onderwijs)"],
    ),
    (
        "ondersteuningsnetwerk-antwerpen-overleg",
        "Overleg Ondersteuningsnetwerk Onderwijs – Jeugdzorg",
        "antwerpen",
        "beide",
        "De partners van het centraal aanspreekpunt tussen onderwijs en welzijn.",
        ["vzw Emmaüs", "CAW Antwerpen", "Elegast", "Arktos"],
    ),
    (
        "leer-recht-limburg-overleg",
        "Leer-recht Limburg",
        "limburg",
        "onderwijs",
        "Netwerk van scholen en CLB's rond leerrecht en vroegtijdig schoolverlaten.",
        ["Leer-recht Limburg"],
    ),
    (
        "netwerk-aalst-onderwijs-jeugdhulp",
        "Netwerk onderwijs-jeugdhulp Aalst",
        "oost-vlaanderen",
        "beide",
        "Flankerend onderwijsbeleid en team veiligheid van de stad met scholen en jeugdhulp.",
        ["VCLB Waas en Dender"],
    ),
    (
        "ggz-onderwijs-vlaams-brabant",
        "Overleg geestelijke gezondheidszorg en onderwijs",
        "vlaams-brabant",
        "jeugdhulp",
        "Scholen, CLB's en de geestelijke gezondheidszorg.",
        [],
    ),
]

# Per region: strengths, gaps (leemtes), needs, how demand and supply meet, actions.
ANALYSES = {
    "west-vlaanderen": (
        "NAFT-aanbod in de regio [aanbod:naft-west-vlaanderen]\nUitstroombegeleiding als "
        "afrondend gesprek [aanbod:uitstroombegeleiding-west-vlaanderen]",
        "NAFT wordt te laat ingezet bij jongeren die dreigen uit te vallen\nWeinig aanbod "
        "voor jongeren die de school verlaten zonder kwalificatie",
        "Vroeger signaleren in het secundair onderwijs",
        "Scholen vinden NAFT via het CLB; de ROTS-casustafel helpt als CLB en jeugdhulp vastzitten",
        "NAFT vroeger inzetten: afspraken met scholen | coördinatoren West-Vlaanderen | bezig",
    ),
    "oost-vlaanderen": (
        "Netoverstijgende trajectbegeleiding [aanbod:trajectbegeleiding-oost-vlaanderen]",
        "Geen continuïteit voor leerlingen die vaak van school wisselen",
        "Eén trajectbegeleider over scholen en netten heen",
        "De vorming Nieuwe Autoriteit [aanbod:nieuwe-autoriteit-oost-vlaanderen] bereikt "
        "leerkrachten en begeleiders",
        "Trajectbegeleiding uitbreiden buiten Gent | lerend netwerk Oost-Vlaanderen | open",
    ),
    "antwerpen": (
        "Een centraal aanspreekpunt onderwijs – jeugdzorg "
        "[aanbod:ondersteuningsnetwerk-onderwijs-jeugdzorg-antwerpen]\nHet provinciaal "
        "spijbelactieplan [aanbod:spijbelactieplan-antwerpen]",
        "Waar het bestaande aanbod tekortschiet, ontbreekt een vervolg\nSchoolextern aanbod "
        "voor het basisonderwijs is weinig bekend",
        "Overzicht van het schoolexterne aanbod voor -12",
        "Hulpverleners vinden het aanbod via het centraal meldpunt",
        "Infosessie schoolextern aanbod basisonderwijs | coördinatoren Antwerpen | klaar",
    ),
    "limburg": (
        "Samen1Plan: één gedeeld plan per leerling [aanbod:samen1plan-limburg]",
        "Welzijnspartners komen te laat in het traject van jonge kinderen en hun gezin",
        "Welzijn binnen in de kleuterklas",
        "De leerling houdt zelf de regie met Samen1Plan",
        "Welzijn in de kleuterklas verankeren | Leer-recht Limburg | bezig",
    ),
    "vlaams-brabant": (
        "Samenwerking met de geestelijke gezondheidszorg",
        "Psychische kwetsbaarheid als oorzaak van schooluitval blijft onzichtbaar\nLange "
        "wachttijden in de geestelijke gezondheidszorg voor jongeren",
        "Handvatten voor scholen om signalen te herkennen",
        "Doorverwijzing via het CLB en de Intersectorale Toegangspoort "
        "[aanbod:psychische-kwetsbaarheid-vlaams-brabant]",
        "Vorming psychische kwetsbaarheid herhalen | lerend netwerk Vlaams-Brabant | open",
    ),
    "brussel": (
        "KANS leidt leerlingen toe via vier bruggen [aanbod:kans-centraal-meldpunt-brussel]\n"
        "Railz biedt gepast onderwijs bij extreem externaliserend gedrag [aanbod:railz-brussel]",
        "Te weinig plaatsen in alternatieve dagbesteding\nDe terugkeer naar school na "
        "dagbesteding is niet georganiseerd",
        "Dagbesteding zo kort als mogelijk, zo lang als nodig",
        "De rondetafel van KANS brengt ouders, school en CLB samen",
        "Afspraken over terugkeer naar school | coördinatoren Brussel | open",
    ),
}

PERIOD = "2025-2026"


def seed_regionmap(today: dt.date) -> dict[str, int]:
    """Add the missing map content (flushed, not committed); return counts of what was added.

    ``today`` (Europe/Brussels) dates the checks: every record counts as checked 30 days
    before the first run; the Antwerp spijbelactieplan 14 months before, so the list of
    records to review is not empty.
    """
    counts = {"offers": 0, "consultation_bodies": 0, "regional_analyses": 0}
    regions = {r.slug: r for r in db.session.scalars(select(Region))}
    themes = {t.number: t for t in db.session.scalars(select(Theme))}
    organisations = {o.name: o for o in db.session.scalars(select(Organisation))}
    for name, (kind, municipality) in ORGANISATION_PLACES.items():
        organisation = organisations.get(name)
        if organisation is not None and organisation.organisation_type == "andere":
            organisation.organisation_type = kind.value
            organisation.municipality = municipality
    for slug, title, kind, region, place, numbers, ages, routes, providers, text, refer in OFFERS:
        if db.session.scalar(select(Offer.id).where(Offer.slug == slug)) is not None:
            continue
        checked = today - dt.timedelta(days=420 if slug.startswith("spijbel") else 30)
        offer = Offer(
            slug=slug,
            title=title,
            kind=kind,
            region=regions[region],
            municipality=place,
            age_min=ages[0],
            age_max=ages[1],
            access_routes=sorted(routes),
            description=text,
            how_to_refer=refer,
            status=OfferStatus.PUBLISHED,
            last_checked_on=checked,
            provider_sector=(
                organisations[providers[0]].sector
                if providers and providers[0] in organisations
                else None
            ),
        )
        offer.themes = [themes[n] for n in numbers if n in themes]
        offer.providers = [organisations[n] for n in providers if n in organisations]
        offer.contact_organisation = offer.providers[0] if offer.providers else None
        db.session.add(offer)
        counts["offers"] += 1
    for slug, name, region, sector, text, members in BODIES:
        if db.session.scalar(select(ConsultationBody.id).where(ConsultationBody.slug == slug)):
            continue
        body = ConsultationBody(
            slug=slug, name=name, region=regions[region], sector=sector, description=text
        )
        body.members = [organisations[n] for n in members if n in organisations]
        db.session.add(body)
        counts["consultation_bodies"] += 1
    db.session.flush()
    for slug, (strengths, gaps, needs, matches, actions) in ANALYSES.items():
        region = regions[slug]
        exists = db.session.scalar(
            select(RegionalAnalysis.id).where(
                RegionalAnalysis.region_id == region.id, RegionalAnalysis.period == PERIOD
            )
        )
        if exists is not None:
            continue
        save_analysis(
            AnalysisFields(
                region=region,
                theme=None,
                period=PERIOD,
                summary=f"Wat het netwerk van {region.name} in kaart bracht.",
                strengths=strengths,
                gaps=gaps,
                needs=needs,
                matches=matches,
                actions=actions,
            ),
            None,
        )
        counts["regional_analyses"] += 1
    return counts

"""`flask demo scale`: an organisation-sized data set for benchmarks.

By default 300 groups, 20,000 people, 50,000 threads with 1,000,000 posts, 50,000
documents (small text files written to storage), 5,000 meetings with agendas and 500
time polls; ``factor`` scales every count. The same seed on an empty database gives
the same rows and files (times are anchored to ``today``, so two runs on the same day
match exactly).

Rows are written with SQLAlchemy Core ``insert()`` in executemany batches, a few
transactions per table, with primary keys chosen here: nothing waits for the
database to hand back an id. The services are not called (they would send e-mail and
take hours), so this module keeps their invariants itself: thread post counts,
numbers and last-post fields, post HTML equal to ``render_markdown`` of the body,
subscriptions and read markers of posters, document version numbers and counters,
extracted text, published agendas whose snapshot matches, minutes revisions, poll
votes of participants only. ``tests/test_scale.py`` checks them.

Every generated person signs in with ``PASSWORD``, hashed once per run. The search
index is not built here.
"""

import bisect
import hashlib
import json
import os
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

import click
from sqlalchemy import func, insert, select, text

from collab.auth.models import User, sort_key
from collab.auth.passwords import hash_password
from collab.core import storage
from collab.documents.extract import extract_text
from collab.documents.filetypes import KINDS, clean_filename
from collab.documents.models import Document, DocumentTag, DocumentVersion, Folder
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MinutesComment,
    MinutesRevision,
    Rsvp,
)
from collab.members.models import Expertise, Profile
from collab.polls.models import Poll, PollParticipant, PollSlot, PollVote
from collab.threads.models import Post, PostRevision, ReadMarker, Subscription, Thread

DEFAULT_SEED = 20260
PASSWORD = "collab-scale-2026!"
COUNTS = {
    "groups": 300,
    "people": 20_000,
    "threads": 50_000,
    "posts": 1_000_000,
    "documents": 50_000,
    "meetings": 5_000,
    "polls": 500,
}
# The smallest set that still has every kind of page.
MINIMUMS = {
    "groups": 2,
    "people": 12,
    "threads": 4,
    "posts": 12,
    "documents": 4,
    "meetings": 4,
    "polls": 1,
}
BATCH = 2_000
# Posts per transaction: few transactions, but a bounded write-ahead log on SQLite.
POSTS_PER_TRANSACTION = 100_000

# --- the world: countries, people's names, organisations ---------------------------

# code, English name, French name with its article, adjective, zones, languages,
# e-mail domain, first names, surnames, agencies
# One block per country: code | English name | French name | adjective | e-mail
# domain, then zones | languages, first names, surnames, and one agency a line.
COUNTRY_TABLE = """
AT | Austria | l'Autriche | Austrian | gv.at.example
Europe/Vienna | de en
Lukas Anna Tobias Sophie Florian Katharina Maximilian Lena Stefan Julia
Huber Gruber Bauer Wagner Pichler Steiner Moser Mayer Hofer Leitner
Federal Procurement Agency
Federal Ministry of Finance
Digital Austria

AU | Australia | l'Australie | Australian | gov.au.example
Australia/Sydney Australia/Perth Australia/Brisbane | en
Emily Jack Olivia Noah Charlotte Liam Mia William Chloe Lachlan
Clarke Nguyen Wilson Campbell Kelly Murphy Ryan Walker Robinson Harris
Digital Transformation Agency
Services Australia
Department of Finance

BE | Belgium | la Belgique | Belgian | belgium.be.example
Europe/Brussels | fr nl en
Lucas Emma Louis Louise Arthur Marie Jules Elise Victor Camille
Peeters Janssens Maes Dubois Lambert Dupont Claes Goossens Wouters Leroy
FPS Policy and Support (BOSA)
Digital Flanders
Agence du Numérique

CA | Canada | le Canada | Canadian | canada.ca.example
America/Toronto America/Vancouver America/Halifax | en fr
Marc Sophie Jean Emily Olivier Chloé Ethan Nathalie Liam Isabelle
Tremblay Gagnon Roy Côté Smith Bouchard Gauthier Morin Lavoie Martin
Canadian Digital Service
Treasury Board Secretariat
Shared Services Canada

CH | Switzerland | la Suisse | Swiss | admin.ch.example
Europe/Zurich | de fr it
Luca Mia Noah Lea Elias Laura Samuel Nina Reto Andrea
Müller Meier Schmid Keller Weber Huber Schneider Meyer Steiner Fischer
Federal Chancellery
Digital Public Services Switzerland
Federal Statistical Office

CL | Chile | le Chili | Chilean | gob.cl.example
America/Santiago | es en
Mateo Sofía Benjamín Isidora Vicente Florencia Tomás Martina Joaquín Catalina
González Muñoz Rojas Díaz Pérez Soto Contreras Silva Martínez Sepúlveda
Digital Government Division
ChileCompra
Ministry of Finance

CZ | Czechia | la Tchéquie | Czech | gov.cz.example
Europe/Prague | cs en
Jakub Tereza Jan Eliška Tomáš Anna Petr Karolína Martin Lucie
Novák Svoboda Novotný Dvořák Černý Procházka Kučera Veselý Horák Němec
Digital and Information Agency
Ministry of the Interior
Czech Statistical Office

DE | Germany | l'Allemagne | German | bund.de.example
Europe/Berlin | de en
Tom Anna Jonas Lena Felix Laura Paul Julia Lukas Sarah
Becker Müller Schmidt Schneider Fischer Weber Meyer Wagner Schulz Hoffmann
Federal Ministry of the Interior
FITKO
Federal Agency for Digital Affairs

DK | Denmark | le Danemark | Danish | digst.dk.example
Europe/Copenhagen | da en
Ingrid Mads Freja Rasmus Ida Mikkel Emma Frederik Sofie Christian
Larsen Jensen Nielsen Hansen Pedersen Andersen Christensen Sørensen Rasmussen Madsen
Agency for Digital Government
Danish Business Authority
Statistics Denmark

EE | Estonia | l'Estonie | Estonian | ria.ee.example
Europe/Tallinn | et en ru
Kadri Mart Liis Andres Kristi Tõnis Maarja Rasmus Triin Siim
Tamm Saar Sepp Mägi Kask Kukk Rebane Ilves Pärn Koppel
Information System Authority (RIA)
Government Office
Ministry of Economic Affairs

ES | Spain | l'Espagne | Spanish | gob.es.example
Europe/Madrid Atlantic/Canary | es en
Laura Javier Lucía Pablo María Alejandro Carmen Daniel Elena Sergio
García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín
Secretariat-General for Digital Administration
Red.es
Ministry of Finance

FI | Finland | la Finlande | Finnish | vm.fi.example
Europe/Helsinki | fi sv en
Mikko Aino Juha Helmi Antti Sanna Matti Laura Janne Emilia
Virtanen Korhonen Mäkinen Nieminen Hämäläinen Laine Heikkinen Koskinen Järvinen Lehtonen
Digital and Population Data Services Agency
Ministry of Finance
Hansel

FR | France | la France | French | gouv.fr.example
Europe/Paris | fr en
Claire Thomas Camille Nicolas Julie Antoine Léa Julien Manon Pierre
Dubois Martin Bernard Lefèvre Moreau Laurent Girard Rousseau Fontaine Mercier
DINUM
Direction des achats de l'État
INSEE

GB | United Kingdom | le Royaume-Uni | British | gov.uk.example
Europe/London | en
Sarah James Emma Oliver Hannah George Sophie Harry Lucy Jack
Thompson Smith Jones Taylor Brown Williams Wilson Evans Davies Roberts
Government Digital Service
Crown Commercial Service
Central Digital and Data Office

GR | Greece | la Grèce | Greek | gov.gr.example
Europe/Athens | el en
Giorgos Maria Nikos Eleni Dimitris Katerina Kostas Sofia Yannis Anna
Papadopoulos Georgiou Nikolaidis Papadakis Vlachos Oikonomou Karagiannis Christodoulou
Ministry of Digital Governance
GRNET
Hellenic Statistical Authority

IE | Ireland | l'Irlande | Irish | gov.ie.example
Europe/Dublin | en ga
Aoife Conor Niamh Seán Ciara Darragh Róisín Cian Siobhán Eoin
Murphy Kelly O'Sullivan Walsh Byrne Ryan O'Brien Doyle McCarthy Gallagher
Office of the Government CIO
Office of Government Procurement
Central Statistics Office

IT | Italy | l'Italie | Italian | gov.it.example
Europe/Rome | it en
Giulia Marco Francesca Luca Chiara Alessandro Sara Matteo Elena Davide
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco
Agency for Digital Italy (AgID)
Department for Digital Transformation
Consip

JP | Japan | le Japon | Japanese | digital.go.jp.example
Asia/Tokyo | ja en
Yuki Haruto Aoi Sota Hina Ren Yui Takumi Sakura Daiki
Tanaka Sato Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kato
Digital Agency
Ministry of Internal Affairs and Communications
Statistics Bureau

KR | Korea | la Corée | Korean | korea.kr.example
Asia/Seoul | ko en
Min-jun Seo-yeon Ji-hoon Ha-eun Dong-hyun Ji-woo Sung-min Soo-ah Hyun-woo Ye-jin
Park Kim Lee Choi Jung Kang Cho Yoon Jang Lim
Ministry of the Interior and Safety
National Information Society Agency
Public Procurement Service

LT | Lithuania | la Lituanie | Lithuanian | lrv.lt.example
Europe/Vilnius | lt en
Lukas Emilija Matas Gabija Jonas Austėja Dovydas Ugnė Tomas Rūta
Kazlauskas Jankauskas Petrauskas Stankevičius Vasiliauskas Žukauskas Butkus Paulauskas
Information Society Development Committee
Ministry of Economy and Innovation
Public Procurement Office

LV | Latvia | la Lettonie | Latvian | gov.lv.example
Europe/Riga | lv en
Jānis Anna Andris Laura Mārtiņš Elīna Roberts Līga Edgars Ieva
Bērziņš Kalniņš Ozoliņš Jansons Liepiņš Krūmiņš Balodis Eglītis Zariņš Pētersons
State Regional Development Agency
Ministry of Smart Administration
Procurement Monitoring Bureau

MX | Mexico | le Mexique | Mexican | gob.mx.example
America/Mexico_City America/Tijuana | es en
Sofía Santiago Valentina Diego Camila Emiliano Regina Leonardo Ximena Andrés
Hernández García Martínez López González Rodríguez Pérez Sánchez Ramírez Cruz
Digital Transformation Agency
Ministry of Public Administration
INEGI

NL | Netherlands | les Pays-Bas | Dutch | overheid.nl.example
Europe/Amsterdam | nl en
Jan Sanne Daan Lotte Sem Fleur Bram Anouk Ruben Eva
de Vries Jansen de Jong van den Berg Bakker Visser Smit Meijer de Boer Mulder
Logius
Ministry of the Interior and Kingdom Relations
PIANOo

NO | Norway | la Norvège | Norwegian | digdir.no.example
Europe/Oslo | no en
Ole Ingrid Lars Kari Erik Nora Magnus Silje Henrik Marte
Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen
Norwegian Digitalisation Agency
Ministry of Digitalisation
Statistics Norway

NZ | New Zealand | la Nouvelle-Zélande | New Zealand | govt.nz.example
Pacific/Auckland | en mi
Aroha Liam Ngaio Oliver Mere Jack Ruby Nikau Isla Tama
Ngata Smith Williams Brown Wilson Taylor Walker Parata Anderson Thomas
Department of Internal Affairs
Ministry of Business, Innovation and Employment
Stats NZ

PL | Poland | la Pologne | Polish | gov.pl.example
Europe/Warsaw | pl en
Anna Piotr Katarzyna Tomasz Magdalena Paweł Agnieszka Michał Joanna Krzysztof
Kowalska Nowak Wiśniewski Wójcik Kamińska Lewandowski Zielińska Szymański Woźniak
Chancellery of the Prime Minister
Central Informatics Centre
Public Procurement Office

PT | Portugal | le Portugal | Portuguese | gov.pt.example
Europe/Lisbon Atlantic/Azores | pt en
João Ana Pedro Mariana Tiago Inês Miguel Beatriz Rui Sofia
Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes
Agency for Administrative Modernisation (AMA)
eSPap
Statistics Portugal

SE | Sweden | la Suède | Swedish | digg.se.example
Europe/Stockholm | sv en
Erik Anna Lars Karin Johan Sara Anders Maria Oskar Elin
Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Lindberg
Agency for Digital Government (DIGG)
National Agency for Public Procurement
Statistics Sweden

SI | Slovenia | la Slovénie | Slovenian | gov.si.example
Europe/Ljubljana | sl en
Luka Nika Jan Eva Žiga Maja Nejc Ana Matej Tjaša
Novak Horvat Kovačič Krajnc Zupančič Potočnik Kovač Mlakar Kos Vidmar
Ministry of Digital Transformation
Ministry of Public Administration
SURS

US | United States | les États-Unis | American | gsa.gov.example
America/New_York America/Chicago America/Denver America/Los_Angeles | en es
Michael Jennifer David Jessica Robert Ashley Daniel Emily Christopher Megan
Johnson Williams Miller Davis Garcia Rodriguez Anderson Jackson Thompson Moore
General Services Administration
U.S. Digital Service
Office of Management and Budget

IL | Israel | Israël | Israeli | gov.il.example
Asia/Jerusalem | he en
Noa Yonatan Tamar Itai Maya Omer Shira Eitan Yael Ariel
Cohen Levi Mizrahi Peretz Biton Friedman Avraham Dahan Katz Shapiro
Israel National Digital Agency
Government ICT Authority
Central Bureau of Statistics
"""


def _countries(table: str) -> list[tuple]:
    """(code, name, French name, adjective, zones, languages, domain, first names,
    surnames, agencies) per block of COUNTRY_TABLE."""
    countries = []
    for block in table.strip().split("\n\n"):
        header, places, firsts, lasts, *agencies = block.splitlines()
        code, name, french, adjective, domain = header.split(" | ")
        zones, langs = places.split(" | ")
        countries.append(
            (code, name, french, adjective, zones.split(), langs.split(), domain,
             firsts, lasts, ";".join(agencies))
        )  # fmt: skip
    return countries


COUNTRIES = _countries(COUNTRY_TABLE)

MINISTRIES = [
    "Ministry of Finance",
    "Ministry of the Interior",
    "Prime Minister's Office",
    "National Statistics Office",
    "Ministry of Health",
    "Tax Administration",
    "Public Employment Service",
    "Ministry of Justice",
    "Permanent Delegation to the OECD",
]
POSITIONS = [
    "Director, Digital Government",
    "Head of Unit, Digital Identity",
    "Chief Digital Officer",
    "Senior Policy Adviser",
    "Deputy Director General",
    "Head of Service Design",
    "Chief Information Officer",
    "Programme Manager",
    "Legal Adviser",
    "Enterprise Architect",
    "Head of Procurement",
    "Data Protection Officer",
    "Policy Analyst",
    "Chief Data Officer",
    "Counsellor, Permanent Delegation",
    "Head of Cybersecurity Policy",
    "Product Manager",
    "Statistician",
]
EXPERTISE = (
    "digital identity;eID;wallets;service design;user research;accessibility;"
    "procurement;cloud;open source;open data;data governance;interoperability;"
    "cybersecurity;artificial intelligence;algorithmic transparency;GovTech;"
    "digital inclusion;digital skills;once-only;life events;registries;"
    "e-signatures;APIs;architecture;legal drafting;statistics;evaluation;"
    "public finance;change management;agile delivery;platforms;payments;"
    "notifications;trust services;privacy;standards;performance measurement"
).split(";")
LANGUAGE_NAMES = ["en", "fr", "de", "es", "it", "pt", "nl", "sv", "pl", "ja", "ko"]

TOPICS = [
    "Digital Identity",
    "Digital Services",
    "ICT Procurement",
    "Open Government Data",
    "Artificial Intelligence in the Public Sector",
    "Cloud Adoption",
    "Cybersecurity",
    "Data Governance",
    "Digital Inclusion",
    "Service Design",
    "GovTech",
    "Interoperability",
    "Public Sector Innovation",
    "Digital Skills",
    "Algorithmic Transparency",
    "Once-Only Principle",
    "Life-Event Services",
    "Base Registries",
    "E-Signatures and Trust Services",
    "Digital Public Infrastructure",
    "Open Source Software",
    "Data Protection",
    "Regulatory Sandboxes",
    "Performance Measurement",
    "Digital Budgeting",
    "Legacy Modernisation",
    "Cross-Border Services",
    "Accessibility",
    "Emerging Technologies",
    "Digital Talent",
    "Data Centres",
    "Payments and Invoicing",
    "E-Procurement",
    "Public Communication",
    "Citizen Participation",
    "Digital Justice",
    "Health Data",
    "Tax Digitalisation",
    "Social Security Services",
    "Statistics Modernisation",
    "Smart Cities",
    "Digital Security Risk",
    "Green ICT",
    "Quantum Readiness",
    "Data Spaces",
    "Digital Twins",
    "Behavioural Insights",
    "Public Employment Platforms",
    "Local Government Digitalisation",
    "Digital Education Services",
    "Disinformation Resilience",
    "Identity Wallets",
    "API Management",
    "Digital Archives",
    "Agile Delivery",
    "Platform Governance",
    "Digital Rights",
    "Generative AI",
    "Open Contracting",
    "Chatbots and Assistants",
]
BODIES = [
    "Working Party on",
    "Committee on",
    "Expert Group on",
    "Network on",
    "Task Force on",
    "Steering Group on",
]

# --- word lists: English and French, shuffled and drawn Zipf-like ------------------

EN_NOUNS = """
government service platform identity wallet credential citizen business ministry
agency council committee group member delegate chair secretariat country region
municipality authority register registry record database dataset data* information*
guidance* evidence* feedback* software* infrastructure* legislation* research*
procurement* cooperation* governance* accessibility* interoperability* security*
privacy* transparency* accountability* resilience* inclusion* trust* take-up*
strategy policy programme project pilot prototype product roadmap budget cost saving
contract supplier vendor tender framework agreement licence clause market lock-in*
cloud server network application system component module interface api standard
specification protocol format schema catalogue portal website page form field
account login password certificate signature seal key token session device phone
smartphone app channel helpline office counter centre desk team unit division
department directorate board panel workshop seminar conference meeting plenary
agenda item minute decision action deadline milestone timeline schedule calendar
report note paper study survey review assessment evaluation audit benchmark
indicator metric measure target score rate share number figure table chart
dashboard statistic trend pattern risk threat incident breach vulnerability
attack control safeguard requirement obligation right duty principle rule law
regulation directive act decree bill amendment proposal draft version revision
consultation comment response question answer issue problem challenge barrier gap
lesson practice example case experience approach method model tool technique
process procedure workflow step stage phase transition migration integration
deployment rollout adoption implementation design architecture layer stack
solution option alternative scenario choice trade-off priority objective goal
outcome result impact benefit value quality performance efficiency effectiveness
capacity capability skill talent training course curriculum career hiring
recruitment staff employee official expert adviser analyst architect developer
designer researcher manager leader minister parliament court judge auditor
regulator ombudsman user customer resident taxpayer patient student pensioner
family household enterprise company start-up firm sector industry economy
society community public life event birth marriage death move benefit pension
tax payment invoice refund fee subsidy grant fund investment resource asset
license permit visa passport card chip reader scanner camera biometric
algorithm automation machine learning* model chatbot assistant recommendation
prediction classification translation language notification message email letter
reminder alert request complaint appeal claim case file folder document template
guideline checklist toolkit handbook playbook manual principle charter
commitment declaration recommendation mandate reform transformation modernisation
innovation experiment sandbox lab hackathon challenge prize partnership alliance
coalition consortium association foundation university school hospital library
border region state province city town village island network link
connection bandwidth coverage broadband fibre satellite energy climate emission
footprint sustainability* circularity* waste* recycling* repair* lifecycle
maintenance* support* helpdesk licence subscription usage* load peak demand supply
inventory* catalogue portfolio pipeline backlog sprint iteration release feature
bug fix patch update upgrade outage downtime* uptime* availability* latency*
response backup recovery continuity* contingency plan exercise simulation drill
""".split()
EN_IRREGULAR = {
    "analysis": "analyses",
    "criterion": "criteria",
    "child": "children",
    "person": "people",
    "thesis": "theses",
    "hypothesis": "hypotheses",
    "life": "lives",
}
EN_NOUNS += list(EN_IRREGULAR)
EN_ADJECTIVES = """
digital public national local regional federal central common shared open secure
private personal sensitive legal technical practical political economic social
financial fiscal administrative operational strategic tactical main key new old
current previous next final early late first second third recent annual monthly
weekly daily quarterly formal informal mandatory voluntary optional standard
minimum maximum basic advanced simple complex clear detailed broad narrow short
long large small big major minor critical essential important useful helpful
relevant consistent reliable robust resilient scalable flexible modular agile
interoperable accessible inclusive transparent accountable trustworthy ethical
responsible sustainable green efficient effective costly expensive cheap affordable
free paid available unavailable ready mature immature experimental innovative
traditional legacy modern manual automatic automated online offline mobile remote
hybrid physical virtual human real natural strong weak high low fast slow heavy
light good better best poor bad difficult easy hard possible impossible likely
unlikely similar different specific general global international european
cross-border bilateral multilateral joint collective individual single multiple
several various additional extra separate independent external internal
horizontal vertical transversal integrated fragmented coherent unified diverse
proactive reactive preventive corrective timely overdue urgent pending
confidential restricted classified unclassified verified unverified qualified
certified approved rejected proposed agreed adopted revised updated draft
unclear uncertain promising successful visible invisible measurable concrete
""".split()
EN_VERBS = """
publish share compare review discuss adopt approve propose present explain
describe report measure assess evaluate monitor track improve simplify design
build develop deploy launch test pilot prototype migrate integrate connect
reuse adapt update upgrade replace retire maintain support fund finance procure
purchase buy negotiate sign renew extend expand reduce limit remove add include
require mandate recommend encourage allow enable prevent protect secure verify
validate certify authenticate identify collect store process analyse combine
document record circulate translate summarise prepare organise host attend join
lead coordinate chair consult involve engage inform notify remind answer ask
request receive send submit check confirm accept decline change move align
harmonise standardise open release license exchange transfer onboard train
hire recruit learn teach help deliver provide offer serve use need want expect
plan schedule postpone cancel start finish complete continue follow focus
prioritise consider note welcome thank invite explore examine investigate
identify address solve fix resolve tackle overcome avoid reach achieve
""".split()
EN_IRREGULAR_VERBS = {
    "build": ("builds", "built", "building"),
    "lead": ("leads", "led", "leading"),
    "buy": ("buys", "bought", "buying"),
    "send": ("sends", "sent", "sending"),
    "teach": ("teaches", "taught", "teaching"),
    "plan": ("plans", "planned", "planning"),
    "begin": ("begins", "began", "beginning"),
    "write": ("writes", "wrote", "writing"),
    "run": ("runs", "ran", "running"),
    "find": ("finds", "found", "finding"),
    "set": ("sets", "set", "setting"),
    "learn": ("learns", "learned", "learning"),
    "spend": ("spends", "spent", "spending"),
    "keep": ("keeps", "kept", "keeping"),
    "bring": ("brings", "brought", "bringing"),
    "take": ("takes", "took", "taking"),
    "make": ("makes", "made", "making"),
    "give": ("gives", "gave", "giving"),
    "show": ("shows", "showed", "showing"),
    "see": ("sees", "saw", "seeing"),
}
EN_VERBS = [v for v in EN_VERBS if v not in EN_IRREGULAR_VERBS] + list(
    EN_IRREGULAR_VERBS
)
EN_ADVERBS = """
quickly slowly carefully clearly directly fully partly largely mostly rarely
often usually sometimes already still recently finally gradually progressively
significantly slightly easily jointly formally informally publicly widely
consistently effectively efficiently securely automatically manually regularly
""".split()
EN_PERIODS = ["year", "month", "quarter", "spring", "autumn", "week", "summer"]
EN_EVENTS = ["meeting", "plenary", "workshop", "peer review", "E-Leaders meeting"]
EN_TEMPLATES = [
    "The {A} {N} in {C} {V3} {A} {NS}.",
    "We {VD} the {N} of our {NS} last {PERIOD}.",
    "{CA} {NS} {V} the {N} more {R} than expected.",
    "Our {N} team is {VG} a {A} {N} for {NS}.",
    "In {Y}, {C} {VD} {NUM} {NS} to the {A} {N}.",
    "Has anyone {VD} a {N} for {A} {NS}?",
    "The main {N} is how to {V} {NS} without {VG} the {N}.",
    "This {A} {N} {V3} {R}, and our {NS} {V} it.",
    "Could the group {V} a {A} {N} on {NS} before the next {EVENT}?",
    "{P} of {NS} now {V} the {A} {N}.",
    "I agree that the {N} should {V} {A} {NS}.",
    "Thanks for the {A} {N}; {C} is {VG} the same {N}.",
    "We still {V} {NS} by hand, which {V3} the {N}.",
    "Without a {A} {N}, {NS} {V} {R}.",
    "The {N} {VD} {R} after {C} {VD} its {N}.",
    "Our {N} {V3} {NUM} {A} {NS} and {NUM} {NS}.",
    "How do you {V} the {N} when the {N} is {A}?",
    "{C} and {C} {VD} a {A} {N} on {N}.",
    "The {EVENT} {VD} to {V} the {A} {NS}.",
    "We {R} {V} {A} {NS} with the {N}.",
]
FR_NOUNS = """
m:service f:plateforme f:identité m:portefeuille m:citoyen f:entreprise m:ministère
f:agence m:comité m:groupe m:membre m:délégué f:présidence m:secrétariat m:pays
f:région f:commune f:administration m:registre f:base m:dossier f:donnée
f:information f:stratégie f:politique m:programme m:projet m:pilote m:prototype
m:budget m:coût m:contrat m:fournisseur m:marché m:accord f:licence f:clause
m:nuage m:serveur m:réseau f:application m:système m:composant f:interface
f:norme m:format m:catalogue m:portail m:site f:page m:formulaire m:compte
m:certificat f:signature f:clé m:téléphone m:guichet m:bureau m:centre f:équipe
f:direction m:atelier m:séminaire f:conférence f:réunion f:séance m:point
f:décision f:action m:délai m:calendrier m:rapport f:note f:étude f:enquête
f:revue f:évaluation m:audit m:indicateur m:objectif m:taux m:tableau
m:risque f:menace m:incident f:vulnérabilité m:contrôle f:exigence f:obligation
m:droit m:principe f:règle f:loi m:règlement f:directive m:décret f:proposition
m:projet f:version f:consultation m:commentaire f:réponse f:question m:problème
m:défi m:obstacle f:leçon f:pratique m:exemple f:expérience f:approche
f:méthode m:outil m:processus f:procédure f:étape f:phase f:transition
f:migration m:déploiement f:adoption f:conception f:architecture f:solution
f:option m:scénario m:choix f:priorité m:résultat m:impact m:bénéfice
f:qualité f:performance f:efficacité f:capacité f:compétence f:formation
m:recrutement m:agent m:fonctionnaire m:expert m:conseiller m:analyste
m:architecte m:développeur m:chercheur m:responsable m:ministre m:parlement
m:juge m:auditeur m:régulateur m:usager m:contribuable m:patient m:étudiant
f:famille m:ménage m:secteur f:industrie f:économie f:société f:communauté
m:événement f:naissance m:mariage m:décès m:déménagement f:pension m:impôt
m:paiement f:facture m:remboursement f:subvention m:fonds m:investissement
m:passeport f:carte f:puce m:lecteur m:algorithme f:automatisation m:modèle
m:assistant f:recommandation f:traduction f:langue f:notification m:message
m:courriel f:lettre m:rappel f:demande f:plainte m:recours m:document
m:gabarit m:guide f:charte m:engagement f:déclaration m:mandat f:réforme
f:transformation f:modernisation f:innovation f:expérimentation m:laboratoire
m:partenariat f:alliance f:association f:fondation f:université f:école
m:hôpital f:bibliothèque f:frontière f:province f:ville m:village m:lien
f:connexion f:couverture f:énergie m:climat f:empreinte f:durabilité
f:maintenance m:support f:assistance m:abonnement m:usage f:demande f:offre
m:inventaire m:portefeuille f:feuille f:itération f:fonctionnalité m:correctif
f:mise f:panne f:disponibilité f:sauvegarde f:reprise f:continuité m:plan
m:exercice f:simulation f:sécurité f:confidentialité f:transparence
f:responsabilité f:résilience f:inclusion f:confiance f:gouvernance
f:interopérabilité f:accessibilité f:coopération f:législation f:recherche
""".split()
FR_ADJECTIVES = """
numérique durable efficace accessible interopérable stratégique juridique
technique pratique budgétaire prioritaire volontaire nécessaire possible fiable
responsable modulaire souple rapide simple complexe utile critique sensible
moderne solide visible lisible unique pilote automatique mobile hybride physique
conforme obligatoire démocratique économique éthique systémique incontournable
réalisable soutenable compatible vulnérable stable rentable mesurable comparable
crédible flexible innovante? sobre large ambitieux? commode exemplaire
""".split()
FR_EPICENE = {a for a in FR_ADJECTIVES if not a.endswith("?")}
FR_VERBS = """
publier partager comparer examiner discuter adopter approuver proposer présenter
expliquer décrire mesurer évaluer suivre améliorer simplifier concevoir déployer
lancer tester piloter migrer intégrer connecter réutiliser adapter remplacer
maintenir soutenir financer acheter négocier signer renouveler étendre réduire
limiter ajouter inclure exiger recommander encourager permettre protéger
sécuriser vérifier valider certifier identifier collecter stocker analyser
combiner documenter enregistrer diffuser traduire résumer préparer organiser
accueillir coordonner présider consulter informer notifier rappeler demander
recevoir envoyer soumettre confirmer accepter changer harmoniser normaliser
ouvrir échanger transférer former recruter aider fournir offrir utiliser
planifier reporter annuler commencer terminer continuer prioriser noter
explorer étudier traiter résoudre éviter atteindre accompagner
""".split()
# Verbs whose present tense changes the stem (rappelle, intègre, achète) are left out
# of the conjugated forms.
FR_STEM_CHANGE = set("rappeler renouveler envoyer intégrer protéger acheter".split())
FR_REGULAR = [v for v in FR_VERBS if v.endswith("er") and v not in FR_STEM_CHANGE]
FR_ADVERBS = """
rapidement lentement clairement directement pleinement largement rarement
souvent parfois déjà encore récemment finalement progressivement nettement
facilement conjointement formellement publiquement régulièrement
""".split()
FR_TEMPLATES = [
    "{LE_N} {A} {V3} {LES_NS} {AP}.",
    "En {Y}, {FC} a {VPP} {LE_N} {A}.",
    "Nous avons {VPP} {LE_N} {DU_N} {R}.",
    "Est-ce que {LE_N} {V3} vraiment {LES_NS} ?",
    "{P} {DES_NS} {V3P} désormais {LE_N} {A}.",
    "Le groupe pourrait {VINF} {UN_N} sur {LES_NS} avant la prochaine réunion.",
    "Il faut {VINF} {LE_N} sans {VINF} {LES_NS}.",
    "{LE_N} {DU_N} reste {A} pour {LES_NS}.",
    "Selon {LE_N}, {LES_NS} {V3P} {R}.",
    "Merci pour {LE_N} {A} : {FC} prépare {UN_N} similaire.",
    "Nous devons {VINF} {LES_NS} {AP} avec {LE_N}.",
    "{FC} et {FC} ont {VPP} {UN_N} commun sur {LE_N}.",
    "Comment {VINF} {LE_N} quand {LE_N} change ?",
    "{LES_NS} {AP} {V3P} {LE_N} {DU_N}.",
]
FILLERS = {
    "NUM": [str(n) for n in (2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 120)],
    "Y": [str(y) for y in range(2018, 2027)],
    "P": [f"{n} %" for n in (5, 8, 12, 15, 20, 25, 30, 40, 55, 60, 70, 85, 90)],
}
DOC_TYPES = [
    "Background note",
    "Country review",
    "Issues paper",
    "Draft report",
    "Summary record",
    "Survey results",
    "Good practice note",
    "Working paper",
    "Presentation",
    "Terms of reference",
    "Programme of work",
    "Questionnaire",
    "Policy brief",
    "Case study",
    "Toolkit",
    "Discussion note",
    "Annex",
]
TAGS = [
    "draft",
    "final",
    "for comment",
    "confidential",
    "country review",
    "survey",
    "minutes",
    "agenda",
    "presentation",
    "background",
    "statistics",
    "legal",
    "procurement",
    "identity",
    "cloud",
    "AI",
    "data",
    "2025",
    "2026",
    "plenary",
]
FOLDERS = [
    "Meeting documents",
    "Country contributions",
    "Drafts",
    "Reports",
    "Presentations",
    "Surveys",
    "Reference",
    "Working papers",
    "Archive",
    "Consultations",
    "Templates",
    "Statistics",
]
AGENDA_TOPICS = [
    "Country updates",
    "Draft report: first reading",
    "Survey results",
    "Peer review",
    "Programme of work and budget",
    "Case studies",
    "Workshop outcomes",
    "Cross-border pilots",
    "Standards and specifications",
    "Procurement practices",
    "Measurement framework",
    "Presentation by the secretariat",
    "Guest presentation",
    "Good practice note",
    "Joint project with another group",
    "Data collection",
    "Consultation on the recommendation",
    "Roadmap for next year",
]
LOCATIONS = [
    "OECD Conference Centre, Room CC{n}, Paris",
    "OECD Boulogne, Room B{n}",
    "Château de la Muette, Salle {n}",
    "",
    "",
]


AN_RE = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])")


def _zipf(words: list[str], rng: random.Random, s: float = 1.05):
    """A sampler drawing ``words`` with probability ∝ 1/rank^s, ranks shuffled by the
    seed so the most frequent word is not the first in the list."""
    words = list(dict.fromkeys(words))
    rng.shuffle(words)
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank**s
        cum.append(total)
    rand = rng.random

    def draw() -> str:
        return words[bisect.bisect(cum, rand() * total)]

    return draw


def _html(value: str) -> str:
    """Text as markdown-it and bleach leave it in HTML: only & < > are escaped."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plural(noun: str) -> str:
    if noun in EN_IRREGULAR:
        return EN_IRREGULAR[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _verb_forms(verb: str) -> tuple[str, str, str]:
    if verb in EN_IRREGULAR_VERBS:
        return EN_IRREGULAR_VERBS[verb]
    if verb.endswith(("s", "x", "ch", "sh", "o")):
        third = verb + "es"
    elif verb.endswith("y") and verb[-2] not in "aeiou":
        third = verb[:-1] + "ies"
    else:
        third = verb + "s"
    if verb.endswith("e"):
        past, ing = verb + "d", verb[:-1] + "ing"
    elif verb.endswith("y") and verb[-2] not in "aeiou":
        past, ing = verb[:-1] + "ied", verb + "ing"
    else:
        past, ing = verb + "ed", verb + "ing"
    return third, past, ing


def _fr_article(gender: str, noun: str) -> tuple[str, str, str]:
    """(le/la/l' noun, du/de la/de l' noun, un/une noun)."""
    vowel = noun[0] in "aeéèêiîoôuhy"
    if vowel:
        return f"l'{noun}", f"de l'{noun}", ("un " if gender == "m" else "une ") + noun
    if gender == "m":
        return f"le {noun}", f"du {noun}", f"un {noun}"
    return f"la {noun}", f"de la {noun}", f"une {noun}"


def _fr_plural(noun: str) -> str:
    if noun.endswith(("s", "x", "z")):
        return noun
    if noun.endswith("eau"):
        return noun + "x"
    return noun + "s"


class Writer:
    """Sentences, posts, titles and files from the word lists; deterministic for a
    given random generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        nouns = [n.rstrip("*") for n in EN_NOUNS]
        countable = [n for n in EN_NOUNS if not n.endswith("*")]
        draw_noun = _zipf(nouns, rng)
        draw_plural = _zipf([_plural(n) for n in countable], rng)
        forms = {v: _verb_forms(v) for v in EN_VERBS}
        draw_verb = _zipf(EN_VERBS, rng)
        countries = [c[1] for c in COUNTRIES]
        self.en = {
            "N": draw_noun,
            "NS": draw_plural,
            "A": _zipf(EN_ADJECTIVES, rng),
            "V": draw_verb,
            "V3": _zipf([forms[v][0] for v in EN_VERBS], rng),
            "VD": _zipf([forms[v][1] for v in EN_VERBS], rng),
            "VG": _zipf([forms[v][2] for v in EN_VERBS], rng),
            "R": _zipf(EN_ADVERBS, rng),
            "C": _zipf(countries, rng, 0.6),
            "CA": _zipf([c[3] for c in COUNTRIES], rng, 0.6),
            "PERIOD": _zipf(EN_PERIODS, rng),
            "EVENT": _zipf(EN_EVENTS, rng),
        }
        fr_nouns = [tuple(n.split(":", 1)) for n in FR_NOUNS]
        fr_forms = [_fr_article(g, n) for g, n in fr_nouns]
        fr_plurals = [_fr_plural(n) for _g, n in fr_nouns]
        epicene = sorted(FR_EPICENE)
        self.fr = {
            "LE_N": _zipf([f[0] for f in fr_forms], rng),
            "DU_N": _zipf([f[1] for f in fr_forms], rng),
            "UN_N": _zipf([f[2] for f in fr_forms], rng),
            "LES_NS": _zipf(["les " + p for p in fr_plurals], rng),
            "DES_NS": _zipf(
                [("d'" if p[0] in "aeéèêiîoôuhy" else "des ") + p for p in fr_plurals],
                rng,
            ),
            "A": _zipf(epicene, rng),
            "AP": _zipf([a + "s" for a in epicene], rng),
            "V3": _zipf([v[:-2] + "e" for v in FR_REGULAR], rng),
            "V3P": _zipf([v[:-2] + "ent" for v in FR_REGULAR], rng),
            "VPP": _zipf([v[:-2] + "é" for v in FR_REGULAR], rng),
            "VINF": _zipf(FR_VERBS, rng),
            "R": _zipf(FR_ADVERBS, rng),
            "FC": _zipf([c[2] for c in COUNTRIES], rng, 0.6),
        }
        for pools in (self.en, self.fr):
            for key, values in FILLERS.items():
                pools[key] = _zipf(values, rng, 0.5)
        self.templates = {
            "en": [self._compile(t, self.en) for t in EN_TEMPLATES],
            "fr": [self._compile(t, self.fr) for t in FR_TEMPLATES],
        }

    @staticmethod
    def _compile(template: str, pools: dict) -> list[tuple[bool, object]]:
        """[(True, draw) for a slot, (False, text) for fixed text]."""
        parts = re.split(r"\{([A-Z_0-9]+)\}", template)
        return [
            (True, pools[part]) if i % 2 else (False, part)
            for i, part in enumerate(parts)
            if part
        ]

    def _raw(self, lang: str) -> str:
        template = self.rng.choice(self.templates[lang])
        out = "".join([part() if slot else part for slot, part in template])
        return out[0].upper() + out[1:]

    def sentence(self, lang: str) -> str:
        out = self._raw(lang)
        return AN_RE.sub(r"\1n ", out) if lang == "en" else out

    def paragraph(self, lang: str, sentences: int) -> str:
        out = " ".join([self._raw(lang) for _ in range(sentences)])
        return AN_RE.sub(r"\1n ", out) if lang == "en" else out

    def post(self, lang: str) -> tuple[str, str]:
        """(markdown body, its HTML as render_markdown makes it)."""
        rng = self.rng
        blocks_md, blocks_html = [], []
        for index in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            if index and rng.random() < 0.12 and not blocks_md[-1].startswith("- "):
                items = [
                    self.sentence(lang).rstrip(".?! ") for _ in range(rng.randint(2, 4))
                ]
                blocks_md.append("\n".join(f"- {item}" for item in items))
                blocks_html.append(
                    "<ul>\n"
                    + "".join(f"<li>{_html(item)}</li>\n" for item in items)
                    + "</ul>\n"
                )
                continue
            para = self.paragraph(lang, rng.randint(1, 4))
            html = _html(para)
            if rng.random() < 0.15:
                words = para.split(" ")
                pick = rng.randrange(len(words))
                word = words[pick]
                if word.isalpha():
                    words[pick] = f"**{word}**"
                    para = " ".join(words)
                    html = " ".join(
                        f"<strong>{_html(w[2:-2])}</strong>"
                        if w.startswith("**") and w.endswith("**")
                        else _html(w)
                        for w in words
                    )
            blocks_md.append(para)
            blocks_html.append(f"<p>{html}</p>\n")
        # The first block alone is the text an edited post had before.
        self.first_block = (blocks_md[0], blocks_html[0])
        return "\n\n".join(blocks_md), "".join(blocks_html)

    def title(self, lang: str) -> str:
        words = self.sentence(lang).rstrip(".?! ").split()
        chosen = " ".join(words[: self.rng.randint(5, 10)]).strip(",;: ")
        if self.rng.random() < 0.3:
            chosen += " ?" if lang == "fr" else "?"
        return (chosen[0].upper() + chosen[1:])[:200]

    def topic(self) -> str:
        return f"{self.en['A']()} {self.en['NS']()}"

    def file(self, kind: str, title: str, lang: str, version: int) -> bytes:
        rng = self.rng
        if kind == "csv":
            years = list(range(2020, 2026))
            lines = ["country,indicator," + ",".join(map(str, years))]
            indicator = self.en["N"]()
            for country in rng.sample(COUNTRIES, rng.randint(5, 15)):
                values = ",".join(str(rng.randint(5, 99)) for _ in years)
                lines.append(f"{country[1]},{indicator},{values}")
            return ("\n".join(lines) + "\n").encode()
        parts = []
        if kind == "md":
            parts.append(f"# {title}\n")
        else:
            parts.append(f"{title}\n")
        parts.append(f"Version {version}\n")
        for _ in range(rng.randint(2, 8)):
            if kind == "md" and rng.random() < 0.4:
                parts.append(f"## {self.title(lang)}\n")
            parts.append(self.paragraph(lang, rng.randint(2, 6)) + "\n")
        return "\n".join(parts).encode()


# --- the generator ---------------------------------------------------------------


@dataclass
class Person:
    id: int
    name: str
    country: str
    zone: str
    lang: str


@dataclass
class GroupPlan:
    id: int
    slug: str
    name: str
    lang_fr: float
    weight: float
    chairs: list[int] = field(default_factory=list)
    writers: list[int] = field(default_factory=list)  # chairs and members
    readers: list[int] = field(default_factory=list)  # writers and observers
    documents: list[tuple[int, int]] = field(default_factory=list)  # (doc, version)
    future_meetings: list[tuple[int, datetime, datetime, str]] = field(
        default_factory=list
    )


def scaled_counts(factor: float) -> dict[str, int]:
    counts = {
        key: max(MINIMUMS[key], round(value * factor)) for key, value in COUNTS.items()
    }
    counts["posts"] = max(counts["posts"], counts["threads"])
    return counts


def existing_data(connection) -> dict[str, int]:
    return {
        name: connection.scalar(select(func.count()).select_from(model))
        for name, model in (("people", User), ("groups", Group), ("posts", Post))
    }


class Generator:
    def __init__(self, seed: int, factor: float, today: date, progress: bool, echo):
        self.seed = seed
        self.rng = random.Random(seed)
        self.writer = Writer(random.Random(seed + 1))
        self.counts = scaled_counts(factor)
        self.now = datetime.combine(today, clock(0), tzinfo=UTC)
        self.today = today
        self.progress = progress
        self.echo = echo
        self.written: dict[str, int] = {}
        self.people: list[Person] = []
        self.groups: list[GroupPlan] = []
        self.names: dict[int, str] = {}
        self.person: dict[int, Person] = {}

    # -- plumbing --

    def _bar(self, label: str, length: int):
        if self.progress:
            return click.progressbar(
                length=max(length, 1), label=f"{label:<34}", show_eta=True, width=30
            )
        return _NoBar()

    def _insert(self, conn, model, rows: list[dict]) -> None:
        if rows:
            conn.execute(insert(model.__table__), rows)
            name = model.__tablename__
            self.written[name] = self.written.get(name, 0) + len(rows)

    def _next_ids(self, conn) -> dict[str, int]:
        models = [
            User, Group, Membership, Thread, Post, PostRevision, ReadMarker,
            Subscription, Expertise, Folder, Document, DocumentVersion, DocumentTag,
            Meeting, AgendaItem, AgendaDocument, Rsvp, Attendance, MinutesRevision,
            MinutesComment, Decision, Action, Poll, PollSlot, PollParticipant,
            PollVote,
        ]  # fmt: skip
        return {
            m.__tablename__: (conn.scalar(select(func.max(m.id))) or 0) + 1
            for m in models
        }

    def _ago(self, days: float) -> datetime:
        moment = self.now - timedelta(seconds=int(days * 86400))
        return moment.replace(microsecond=0)

    # -- stages --

    def run(self, conn) -> dict[str, int]:
        self.ids = self._next_ids(conn)
        self.taken_slugs = set(conn.scalars(select(Group.slug)))
        conn.commit()
        with conn.begin():
            self.password_hash = hash_password(PASSWORD)
            self.make_people(conn)
        with conn.begin():
            self.make_groups(conn)
        self.make_threads(conn)
        with conn.begin():
            self.make_documents(conn)
        with conn.begin():
            self.make_meetings(conn)
        with conn.begin():
            self.make_polls(conn)
        if conn.dialect.name == "postgresql":
            with conn.begin():
                _reset_sequences(conn)
        return self.written

    def make_people(self, conn) -> None:
        rng, n = self.rng, self.counts["people"]
        first_id = self.ids["users"]
        secretariat = max(1, n // 5000)
        countries = [(c, 1 / (rank + 1) ** 0.35) for rank, c in enumerate(COUNTRIES)]
        weights = [w for _c, w in countries]
        users, profiles, expertise = [], [], []
        expertise_id = self.ids["expertise"]
        with self._bar("people (users, profiles, expertise)", n) as bar:
            for index in range(n):
                uid = first_id + index
                c = rng.choices(COUNTRIES, weights)[0]
                code, _en, _fr, _adj, zones, langs, domain = c[:7]
                first = rng.choice(c[7].split())
                last = rng.choice(c[8].split(" ") if code != "NL" else _dutch(c[8]))
                name = f"{last} {first}" if code in ("JP", "KR") else f"{first} {last}"
                zone = rng.choice(zones)
                is_secretariat = index < secretariat
                if is_secretariat:
                    code, zone, domain = "FR", "Europe/Paris", "oecd.org.example"
                ascii_name = _ascii(f"{first}.{last}").replace(" ", "")
                email = f"{ascii_name}.{uid}@{domain}"
                lang = (
                    "fr"
                    if code in ("FR", "BE", "CH", "CA") and rng.random() < 0.6
                    else "en"
                )
                organisation = (
                    "OECD Secretariat"
                    if is_secretariat
                    else rng.choice(c[9].split(";") + MINISTRIES[:4])
                )
                created = self._ago(400 + rng.random() * 900)
                users.append(
                    {
                        "id": uid,
                        "email": email[:254],
                        "username": f"{_ascii(first + '-' + last)}-{uid}"[-40:].strip(
                            "-"
                        ),
                        "display_name": name,
                        "sort_name": sort_key(name),
                        "password_hash": self.password_hash,
                        "is_secretariat": is_secretariat,
                        "is_active": rng.random() > 0.01 or is_secretariat,
                        "locale": lang if rng.random() < 0.7 else None,
                        "timezone": zone,
                        "country": code,
                        "organisation": organisation,
                        "position": rng.choice(POSITIONS),
                        "erased_at": None,
                        "created_at": created,
                    }
                )
                self.people.append(Person(uid, name, code, zone, lang))
                self.person[uid] = self.people[-1]
                self.names[uid] = name
                if rng.random() < 0.7:
                    bio = self.writer.paragraph(lang, rng.randint(1, 3))
                    hidden = rng.random()
                    profiles.append(
                        {
                            "user_id": uid,
                            "bio": bio,
                            "bio_html": f"<p>{_html(bio)}</p>\n",
                            "phone": f"+{rng.randint(30, 99)} {rng.randint(100, 999)} "
                            f"{rng.randint(1000, 9999)}"
                            if rng.random() < 0.4
                            else "",
                            "website": "",
                            "languages": sorted(
                                set(rng.sample(LANGUAGE_NAMES, rng.randint(1, 3)))
                                | {langs[0]}
                            ),
                            # A share of people hide their address from members.
                            "email_visibility": "secretariat"
                            if hidden < 0.15
                            else ("everyone" if hidden > 0.75 else "groups"),
                            "phone_visibility": "secretariat"
                            if rng.random() < 0.7
                            else "groups",
                            "photo_key": None,
                            "updated_at": created,
                        }
                    )
                    for tag in rng.sample(EXPERTISE, rng.randint(0, 4)):
                        expertise.append(
                            {"id": expertise_id, "user_id": uid, "tag": tag}
                        )
                        expertise_id += 1
                if len(users) >= BATCH:
                    self._flush_people(conn, users, profiles, expertise)
                    bar.update(BATCH)
            self._flush_people(conn, users, profiles, expertise)
            bar.update(n)
        self.secretariat = [p.id for p in self.people[:secretariat]]

    def _flush_people(self, conn, users, profiles, expertise) -> None:
        self._insert(conn, User, users)
        self._insert(conn, Profile, profiles)
        self._insert(conn, Expertise, expertise)
        users.clear(), profiles.clear(), expertise.clear()

    def make_groups(self, conn) -> None:
        rng, n = self.rng, self.counts["groups"]
        names = [f"{body} {topic}" for topic in TOPICS for body in BODIES]
        rng.shuffle(names)
        rows, memberships = [], []
        gid = self.ids["groups"]
        for index in range(n):
            base = names[index % len(names)]
            name = base if index < len(names) else f"{base} {index // len(names) + 1}"
            slug = _slug(name, self.taken_slugs)
            private = rng.random() < 0.25
            description = (
                f"The {name.lower()} brings together delegates who "
                f"{self.writer.en['V']()} {self.writer.topic()}.\n\n"
                + self.writer.paragraph("en", rng.randint(2, 4))
            )
            rows.append(
                {
                    "id": gid + index,
                    "slug": slug,
                    "name": name[:120],
                    "description": description,
                    "description_html": "".join(
                        f"<p>{_html(p)}</p>\n" for p in description.split("\n\n")
                    ),
                    "visibility": "private" if private else "public",
                    "join_policy": "invite"
                    if private
                    else rng.choice(("open", "request", "request")),
                    "is_archived": rng.random() < 0.03,
                    "created_at": self._ago(1100 + rng.random() * 300),
                }
            )
            self.groups.append(
                GroupPlan(
                    id=gid + index,
                    slug=slug,
                    name=name,
                    lang_fr=rng.choice((0.05, 0.1, 0.2, 0.5)),
                    weight=min(rng.paretovariate(1.3), 40.0),
                )
            )
        with self._bar("groups", n) as bar:
            self._insert(conn, Group, rows)
            bar.update(n)

        # Memberships: most people in one to four groups; popular groups are large.
        weights = [g.weight for g in self.groups]
        members: dict[int, dict[int, str]] = {g.id: {} for g in self.groups}
        pending: list[tuple[int, int]] = []
        regular = [p for p in self.people if p.id not in self.secretariat]
        for person in regular:
            if self.rng.random() < 0.04:
                continue  # signed in, in no group
            k = 1 + min(6, int(rng.expovariate(1 / 1.3)))
            chosen = rng.choices(self.groups, weights, k=k)
            for group in {g.id: g for g in chosen}.values():
                if rng.random() < 0.015:
                    pending.append((person.id, group.id))
                    continue
                members[group.id][person.id] = (
                    "observer" if rng.random() < 0.12 else "member"
                )
        for group in self.groups:
            roster = members[group.id]
            while len(roster) < 4:
                roster.setdefault(rng.choice(regular).id, "member")
            ids = list(roster)
            for chair in rng.sample(ids, 1 if len(ids) < 30 else rng.randint(2, 3)):
                roster[chair] = "chair"
            group.chairs = [u for u in ids if roster[u] == "chair"]
            group.writers = [u for u in ids if roster[u] != "observer"]
            group.readers = ids
        mid = self.ids["memberships"]
        total = sum(len(r) for r in members.values()) + len(pending)
        with self._bar("memberships", total) as bar:
            for group in self.groups:
                for uid, role in members[group.id].items():
                    memberships.append(
                        {
                            "id": mid,
                            "user_id": uid,
                            "group_id": group.id,
                            "role": role,
                            "status": "active",
                            "message": "",
                            "created_at": self._ago(30 + rng.random() * 1000),
                        }
                    )
                    mid += 1
            for uid, group_id in pending:
                if uid in members[group_id]:
                    continue
                memberships.append(
                    {
                        "id": mid,
                        "user_id": uid,
                        "group_id": group_id,
                        "role": "member",
                        "status": "pending",
                        "message": "I would like to follow the work of this group.",
                        "created_at": self._ago(rng.random() * 20),
                    }
                )
                mid += 1
            for start in range(0, len(memberships), BATCH):
                self._insert(conn, Membership, memberships[start : start + BATCH])
                bar.update(BATCH)

    def make_threads(self, conn) -> None:
        """Threads with their posts, posters' subscriptions and read markers, and the
        revisions of edited posts, in transactions of about 100,000 posts."""
        rng, writer = self.rng, self.writer
        n_threads, n_posts = self.counts["threads"], self.counts["posts"]
        weights = [g.weight for g in self.groups]
        owners = list(self.groups[: min(n_threads, len(self.groups))])
        owners += rng.choices(self.groups, weights, k=n_threads - len(owners))
        sizes = _spread(n_posts, n_threads, rng, cap=max(1, min(3000, n_posts // 4)))
        ids = self.ids
        tid, pid = ids["threads"], ids["posts"]
        sid, rid, rev_id = (
            ids["subscriptions"],
            ids["read_markers"],
            ids["post_revisions"],
        )
        threads, posts, subs, marks, revisions = [], [], [], [], []
        since_commit = 0
        transaction = conn.begin()
        with self._bar("threads, posts, read markers", n_posts) as bar:
            for group, size in zip(owners, sizes, strict=True):
                lang = "fr" if rng.random() < group.lang_fr else "en"
                regulars = rng.sample(
                    group.writers,
                    min(len(group.writers), 2 + int(rng.paretovariate(1.2))),
                )
                author_weights = [1 / (i + 1) for i in range(len(regulars))]
                authors = [regulars[0]] + rng.choices(
                    regulars, author_weights, k=size - 1
                )
                start = self._ago(1095 * rng.random() ** 2 + 0.05)
                gaps = [rng.expovariate(1 / (3600 * 10)) for _ in range(size - 1)]
                span = (self.now - start).total_seconds() - 60
                if sum(gaps) > span:
                    shrink = span / sum(gaps)
                    gaps = [g * shrink for g in gaps]
                moments, moment = [start], start.timestamp()
                for gap in gaps:
                    moment += gap
                    moments.append(datetime.fromtimestamp(int(moment), UTC))
                last_by: dict[int, int] = {}
                for number, (author, when) in enumerate(
                    zip(authors, moments, strict=True), start=1
                ):
                    body, html = writer.post(lang)
                    roll = rng.random()
                    edited = when + timedelta(minutes=7) if roll < 0.03 else None
                    posts.append(
                        {
                            "id": pid,
                            "thread_id": tid,
                            "number": number,
                            "author_id": author,
                            "body": body,
                            "body_html": html,
                            "form_token": None,
                            "created_at": when,
                            "edited_at": edited,
                            "deleted_at": when + timedelta(hours=1)
                            if 0.03 <= roll < 0.035
                            else None,
                            "hidden_at": when + timedelta(hours=2)
                            if 0.035 <= roll < 0.037
                            else None,
                            "hidden_by_id": group.chairs[0]
                            if 0.035 <= roll < 0.037
                            else None,
                            "hidden_reason": "Off topic for this group."
                            if 0.035 <= roll < 0.037
                            else "",
                        }
                    )
                    if edited is not None:
                        before, before_html = writer.first_block
                        revisions.append(
                            {
                                "id": rev_id,
                                "post_id": pid,
                                "body": before,
                                "body_html": before_html,
                                "written_at": when,
                                "editor_id": author,
                            }
                        )
                        rev_id += 1
                    last_by[author] = number
                    pid += 1
                threads.append(
                    {
                        "id": tid,
                        "group_id": group.id,
                        "title": writer.title(lang),
                        "author_id": authors[0],
                        "is_pinned": rng.random() < 0.02,
                        "is_locked": rng.random() < 0.01,
                        "post_count": size,
                        "last_post_at": moments[-1],
                        "last_poster_id": authors[-1],
                        "created_at": start,
                    }
                )
                for uid, number in last_by.items():
                    subs.append(
                        {"id": sid, "user_id": uid, "thread_id": tid, "level": "watch"}
                    )
                    marks.append(
                        {
                            "id": rid,
                            "user_id": uid,
                            "thread_id": tid,
                            "last_read_number": number,
                        }
                    )
                    sid, rid = sid + 1, rid + 1
                tid += 1
                if len(posts) >= BATCH:
                    since_commit += len(posts)
                    bar.update(len(posts))
                    self._flush_threads(conn, threads, posts, subs, marks, revisions)
                    if since_commit >= POSTS_PER_TRANSACTION:
                        transaction.commit()
                        transaction = conn.begin()
                        since_commit = 0
            bar.update(len(posts))
            self._flush_threads(conn, threads, posts, subs, marks, revisions)
            transaction.commit()

    def _flush_threads(self, conn, threads, posts, subs, marks, revisions) -> None:
        self._insert(conn, Thread, threads)
        self._insert(conn, Post, posts)
        self._insert(conn, PostRevision, revisions)
        self._insert(conn, Subscription, subs)
        self._insert(conn, ReadMarker, marks)
        for rows in (threads, posts, subs, marks, revisions):
            rows.clear()

    def make_documents(self, conn) -> None:
        rng, writer, n = self.rng, self.writer, self.counts["documents"]
        store = storage.storage()
        local_root = getattr(store, "root", None)
        ids = self.ids
        folder_id, doc_id = ids["folders"], ids["documents"]
        version_id, tag_id = ids["document_versions"], ids["document_tags"]
        folders_of: dict[int, list[int]] = {}
        folder_rows = []
        for group in self.groups:
            chosen = rng.sample(FOLDERS, rng.randint(0, 6))
            top: list[int] = []
            for name in chosen:
                parent = rng.choice(top) if top and rng.random() < 0.3 else None
                folder_rows.append(
                    {
                        "id": folder_id,
                        "group_id": group.id,
                        "parent_id": parent,
                        "name": name,
                        "created_at": self._ago(900 + rng.random() * 100),
                    }
                )
                if parent is None:
                    top.append(folder_id)
                folders_of.setdefault(group.id, []).append(folder_id)
                folder_id += 1
        self._insert(conn, Folder, folder_rows)
        weights = [g.weight for g in self.groups]
        owners = list(self.groups[: min(n, len(self.groups))])
        owners += rng.choices(self.groups, weights, k=n - len(owners))
        docs, versions, tags = [], [], []
        made_dirs: set[str] = set()
        with self._bar("documents, versions, files", n) as bar:
            for group in owners:
                lang = "fr" if rng.random() < group.lang_fr else "en"
                kind = rng.choices(("md", "txt", "csv"), (5, 4, 1))[0]
                title = f"{rng.choice(DOC_TYPES)}: {writer.topic()}"
                if rng.random() < 0.5:
                    title += f" ({rng.choice(COUNTRIES)[1]})"
                count = 1 + min(5, int(rng.expovariate(1 / 0.6)))
                created = self._ago(1000 * rng.random() ** 1.5 + 1)
                moment = created
                for number in range(1, count + 1):
                    if number > 1:
                        moment = min(
                            moment + timedelta(days=rng.randint(1, 60)),
                            self.now - timedelta(hours=1),
                        )
                    data = writer.file(kind, title, lang, number)
                    key = (
                        f"documents/{group.id}/"
                        f"{version_id:08x}{rng.getrandbits(96):024x}.{kind}"
                    )
                    if local_root is not None:
                        folder = os.path.join(local_root, "documents", str(group.id))
                        if folder not in made_dirs:
                            os.makedirs(folder, exist_ok=True)
                            made_dirs.add(folder)
                        with open(os.path.join(local_root, key), "wb") as f:
                            f.write(data)
                    else:
                        store.put(key, data)
                    versions.append(
                        {
                            "id": version_id,
                            "document_id": doc_id,
                            "number": number,
                            "filename": clean_filename(f"{title}.{kind}"),
                            "kind": kind,
                            "content_type": KINDS[kind].content_type,
                            "size": len(data),
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "storage_key": key,
                            "uploader_id": rng.choice(group.writers),
                            "note": "" if number == 1 else "Revised after comments.",
                            "extracted_text": extract_text(kind, data),
                            "created_at": moment,
                        }
                    )
                    version_id += 1
                trashed = rng.random() < 0.01
                folder_choices = folders_of.get(group.id)
                docs.append(
                    {
                        "id": doc_id,
                        "group_id": group.id,
                        "folder_id": rng.choice(folder_choices)
                        if folder_choices and rng.random() < 0.6
                        else None,
                        "title": title[:200],
                        "description": writer.sentence(lang)
                        if rng.random() < 0.4
                        else "",
                        "kind": kind,
                        "created_by_id": rng.choice(group.writers),
                        "created_at": created,
                        "updated_at": moment,
                        "deleted_at": self.now - timedelta(days=2) if trashed else None,
                        "deleted_by_id": group.chairs[0] if trashed else None,
                        "version_count": count,
                    }
                )
                if not trashed:
                    group.documents.append((doc_id, version_id - 1))
                for tag in rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2, 3))):
                    tags.append({"id": tag_id, "document_id": doc_id, "tag": tag})
                    tag_id += 1
                doc_id += 1
                if len(docs) >= BATCH // 2:
                    self._flush_documents(conn, docs, versions, tags)
                    bar.update(BATCH // 2)
            bar.update(len(docs))
            self._flush_documents(conn, docs, versions, tags)

    def _flush_documents(self, conn, docs, versions, tags) -> None:
        self._insert(conn, Document, docs)
        self._insert(conn, DocumentVersion, versions)
        self._insert(conn, DocumentTag, tags)
        docs.clear(), versions.clear(), tags.clear()

    def make_meetings(self, conn) -> None:
        rng, n = self.rng, self.counts["meetings"]
        ids = self.ids
        rows: dict[str, list[dict]] = {
            name: []
            for name in (
                "meetings", "items", "attachments", "rsvps", "attendances",
                "revisions", "comments", "decisions", "actions",
            )
        }  # fmt: skip
        models = {
            "meetings": Meeting, "items": AgendaItem, "attachments": AgendaDocument,
            "rsvps": Rsvp, "attendances": Attendance, "revisions": MinutesRevision,
            "comments": MinutesComment, "decisions": Decision, "actions": Action,
        }  # fmt: skip
        next_id = {
            "meetings": ids["meetings"], "items": ids["agenda_items"],
            "attachments": ids["agenda_documents"], "rsvps": ids["rsvps"],
            "attendances": ids["attendances"], "revisions": ids["minutes_revisions"],
            "comments": ids["minutes_comments"], "decisions": ids["decisions"],
            "actions": ids["actions"],
        }  # fmt: skip

        def add(kind: str, row: dict) -> dict:
            row["id"] = next_id[kind]
            next_id[kind] += 1
            rows[kind].append(row)
            return row

        def flush() -> None:
            for kind in rows:  # parents first: the dict is in dependency order
                self._insert(conn, models[kind], rows[kind])
                rows[kind].clear()

        # Every group gets a past and a coming meeting when the count allows.
        owners: list[tuple[GroupPlan, bool | None]] = []
        for group in self.groups:
            if len(owners) + 2 <= n:
                owners += [(group, False), (group, True)]
        weights = [g.weight for g in self.groups]
        owners += [
            (g, None) for g in rng.choices(self.groups, weights, k=n - len(owners))
        ]
        with self._bar("meetings, agendas, minutes", n) as bar:
            for group, future in owners:
                if future is None:
                    future = rng.random() < 0.2
                self._meeting(group, future, add)
                if len(rows["meetings"]) >= 200:
                    bar.update(len(rows["meetings"]))
                    flush()
            bar.update(len(rows["meetings"]))
            flush()

    def _meeting(self, group: GroupPlan, future: bool, add) -> None:
        rng, writer = self.rng, self.writer
        chair = rng.choice(group.chairs)
        zone = self.person[chair].zone
        from collab.meetings import times

        if future:
            day = self.today + timedelta(days=rng.randint(1, 180))
        else:
            day = self.today - timedelta(days=rng.randint(1, 1000))
        hour = rng.choice((9, 10, 13, 14, 15))
        starts = datetime.combine(day, clock(hour), tzinfo=times.zone(zone)).astimezone(
            UTC
        )
        hours = rng.choice((1.5, 2, 2, 3))
        ends = starts + timedelta(minutes=int(hours * 60))
        roll = rng.random()
        if future:
            status = "draft" if roll < 0.15 else "scheduled"
        else:
            status = "cancelled" if roll < 0.06 else "held"
        published = status != "draft"
        lang = "fr" if rng.random() < group.lang_fr else "en"
        title = rng.choice(
            (
                f"{day:%B %Y} plenary",
                f"{group.name}: {rng.choice(('spring', 'autumn', 'winter', 'summer'))}"
                f" meeting {day.year}",
                f"Online meeting: {writer.topic()}",
                f"Workshop on {writer.topic()}",
            )
        )[:200]
        location = rng.choice(LOCATIONS).format(n=rng.randint(1, 20))
        meeting = add(
            "meetings",
            {
                "group_id": group.id,
                "uid": f"{rng.getrandbits(64):016x}@collab",
                "title": title,
                "description": writer.paragraph(lang, 2) if rng.random() < 0.5 else "",
                "starts_at": starts,
                "ends_at": ends,
                "timezone": zone,
                "location": location,
                "online_url": f"https://meet.example.org/{group.slug}",
                "status": status,
                "cancel_reason": "The chair is unavailable; a new date follows."
                if status == "cancelled"
                else "",
                "sequence": 0 if status == "draft" else rng.randint(1, 3),
                "updated_at": min(starts - timedelta(days=3), self.now),
                "created_by_id": chair,
                "agenda_published_at": None,
                "agenda_version": 0,
                "agenda_snapshot": {},
                "minutes_stage": "",
                "minutes_deadline": None,
                "minutes_adopted_at": None,
                "minute_taker_id": rng.choice(group.writers)
                if rng.random() < 0.3
                else None,
                "created_at": min(starts - timedelta(days=30), self.now),
            },
        )
        meeting_id = meeting["id"]
        # The id makes it unique beside an earlier generated set (--force).
        meeting["uid"] = f"scale-{meeting_id}-{meeting['uid']}"
        if future and status == "scheduled":
            group.future_meetings.append((meeting_id, starts, ends, zone))
        # The agenda: opening, maybe the action review, topics, any other business.
        specs = [("Opening and adoption of the agenda", "decision", 5, chair)]
        if rng.random() < 0.6:
            specs.append(("Review of open actions", "actions", 10, chair))
        for _ in range(rng.randint(2, 9)):
            specs.append(
                (
                    f"{rng.choice(AGENDA_TOPICS)}: {writer.topic()}"[:200],
                    rng.choice(("discussion", "discussion", "decision", "information")),
                    rng.choice((10, 15, 20, 30, 45)),
                    rng.choice(group.writers) if rng.random() < 0.8 else None,
                )
            )
        specs.append(("Any other business", "information", 5, None))
        held = status == "held"
        items = []
        for position, (item_title, kind, minutes, presenter) in enumerate(specs, 1):
            text_ = writer.paragraph(lang, rng.randint(1, 3)) if held else ""
            description = writer.sentence(lang) if rng.random() < 0.3 else ""
            guest = "" if presenter or rng.random() < 0.7 else "Guest speaker"
            item_id = add(
                "items",
                {
                    "meeting_id": meeting_id,
                    "position": position,
                    "title": item_title,
                    "description": description,
                    "kind": kind,
                    "presenter_id": presenter,
                    "presenter_name": guest,
                    "duration_minutes": minutes,
                    "minutes": text_,
                },
            )["id"]
            attached = []
            if group.documents and kind != "actions" and rng.random() < 0.35:
                for doc, version in rng.sample(
                    group.documents, min(len(group.documents), rng.randint(1, 2))
                ):
                    add(
                        "attachments",
                        {
                            "item_id": item_id,
                            "document_id": doc,
                            "version_id": version if rng.random() < 0.5 else None,
                        },
                    )
                    attached.append(doc)
            items.append(
                {
                    "id": item_id,
                    "title": item_title,
                    "kind": kind,
                    "duration": minutes,
                    "presenter": self.names[presenter] if presenter else guest,
                    "description": description,
                    "documents": sorted(attached),
                    "text": text_,
                }
            )
        if published:
            meeting["agenda_published_at"] = min(
                starts - timedelta(days=rng.randint(5, 20)), self.now
            )
            meeting["agenda_version"] = rng.randint(1, 2)
            meeting["agenda_snapshot"] = {
                "starts_at": starts.isoformat(),
                "ends_at": ends.isoformat(),
                "location": location,
                "online_url": meeting["online_url"],
                "items": [
                    {k: v for k, v in item.items() if k != "text"} for item in items
                ],
            }
        readers = group.readers
        if status == "scheduled":
            for uid in rng.sample(readers, int(len(readers) * rng.uniform(0.2, 0.6))):
                add(
                    "rsvps",
                    {
                        "meeting_id": meeting_id,
                        "user_id": uid,
                        "answer": rng.choice(("yes", "yes", "maybe", "no")),
                        "comment": "Joining online." if rng.random() < 0.1 else "",
                        "answered_at": self.now - timedelta(days=rng.randint(0, 10)),
                    },
                )
        if not held:
            return
        for uid in rng.sample(readers, min(len(readers), rng.randint(4, 60))):
            add(
                "attendances",
                {
                    "meeting_id": meeting_id,
                    "user_id": uid,
                    "presence": rng.choices(
                        ("present", "excused", "absent"), (8, 1, 1)
                    )[0],
                },
            )
        for item in items:
            if item["kind"] == "decision" and item["title"] != specs[0][0]:
                add(
                    "decisions",
                    {
                        "meeting_id": meeting_id,
                        "item_id": item["id"],
                        "text": writer.sentence(lang),
                        "created_at": ends,
                    },
                )
            if item["kind"] in ("decision", "discussion") and rng.random() < 0.5:
                due = day + timedelta(days=rng.randint(7, 90))
                overdue = due < self.today
                status_ = (
                    rng.choices(("done", "open", "dropped"), (6, 3, 1))[0]
                    if overdue
                    else rng.choice(("open", "open", "done"))
                )
                add(
                    "actions",
                    {
                        "group_id": group.id,
                        "meeting_id": meeting_id,
                        "item_id": item["id"],
                        "text": writer.sentence(lang),
                        "owner_id": rng.choice(group.writers),
                        "due_on": due,
                        "status": status_,
                        "status_changed_at": ends + timedelta(days=3)
                        if status_ != "open"
                        else None,
                        "reminded_at": None,
                        "created_at": ends,
                    },
                )
        # Minutes: draft → circulated → adopted for most; the latest still circulating.
        recent = (self.today - day).days < 30
        stages = (
            ["draft", "circulated"] if recent else ["draft", "circulated", "adopted"]
        )
        content = [
            {"item": item["id"], "title": item["title"], "text": item["text"]}
            for item in items
        ]
        for number, stage in enumerate(stages, start=1):
            add(
                "revisions",
                {
                    "meeting_id": meeting_id,
                    "number": number,
                    "stage": stage,
                    "content": content,
                    "note": "",
                    "author_id": chair,
                    "created_at": min(ends + timedelta(days=3 * number), self.now),
                },
            )
        meeting["minutes_stage"] = stages[-1]
        meeting["minutes_deadline"] = ends + timedelta(days=14)
        if stages[-1] == "adopted":
            meeting["minutes_adopted_at"] = ends + timedelta(days=20)
        for _ in range(rng.choice((0, 0, 1, 2))):
            add(
                "comments",
                {
                    "meeting_id": meeting_id,
                    "author_id": rng.choice(group.writers),
                    "body": writer.sentence(lang),
                    "created_at": min(ends + timedelta(days=5), self.now),
                },
            )

    def make_polls(self, conn) -> None:
        rng, n = self.rng, self.counts["polls"]
        from collab.meetings import times

        ids = self.ids
        poll_id, slot_id = ids["polls"], ids["poll_slots"]
        part_id, vote_id = ids["poll_participants"], ids["poll_votes"]
        polls, slots, participants, votes = [], [], [], []
        weights = [g.weight for g in self.groups]
        with self._bar("polls, slots, votes", n) as bar:
            for group in rng.choices(self.groups, weights, k=n):
                chair = rng.choice(group.chairs)
                zone = self.person[chair].zone
                roll = rng.random()
                decided = roll < 0.2 and group.future_meetings
                duration = rng.choice((60, 90, 120))
                if decided:
                    meeting_id, m_start, m_end, zone = rng.choice(group.future_meetings)
                    duration = int((m_end - m_start).total_seconds() // 60)
                    local = m_start.astimezone(times.zone(zone))
                    first_day = local.date() - timedelta(days=rng.randint(0, 2))
                    clocks = sorted({local.time(), clock(rng.choice((8, 11, 16)))})
                    closes = min(
                        m_start - timedelta(days=5), self.now - timedelta(days=1)
                    )
                else:
                    meeting_id = None
                    first_day = self.today + timedelta(days=rng.randint(10, 60))
                    clocks = sorted(
                        {clock(h) for h in rng.sample((8, 9, 11, 13, 15, 16), 3)}
                    )
                    closes = (
                        self.now - timedelta(days=rng.randint(1, 30))
                        if roll > 0.85
                        else self.now + timedelta(days=rng.randint(2, 9))
                    )
                instants = []
                for offset in range(3):
                    for c in clocks:
                        local_dt = datetime.combine(
                            first_day + timedelta(days=offset),
                            c,
                            tzinfo=times.zone(zone),
                        )
                        instants.append(local_dt.astimezone(UTC))
                instants = sorted(set(instants))
                slot_ids = list(range(slot_id, slot_id + len(instants)))
                chosen_slot = None
                if decided:
                    chosen_slot = slot_ids[instants.index(m_start)]
                polls.append(
                    {
                        "id": poll_id,
                        "group_id": group.id,
                        "title": f"Finding a date: {self.writer.topic()}"[:200],
                        "description": self.writer.sentence("en"),
                        "duration_minutes": duration,
                        "timezone": zone,
                        "closes_at": closes,
                        "created_by_id": chair,
                        "decided_at": closes if decided else None,
                        "decided_slot_id": chosen_slot,
                        "meeting_id": meeting_id,
                        "reminded_at": None,
                        "created_at": closes - timedelta(days=14),
                    }
                )
                for sid_, instant in zip(slot_ids, instants, strict=True):
                    slots.append({"id": sid_, "poll_id": poll_id, "starts_at": instant})
                slot_id += len(instants)
                people = rng.sample(group.readers, min(len(group.readers), 80))
                for uid in people:
                    voted = rng.random() < 0.6
                    participants.append(
                        {
                            "id": part_id,
                            "poll_id": poll_id,
                            "user_id": uid,
                            "comment": "Mornings are difficult for me."
                            if voted and rng.random() < 0.05
                            else "",
                            "voted_at": closes - timedelta(days=rng.randint(1, 10))
                            if voted
                            else None,
                        }
                    )
                    part_id += 1
                    if voted:
                        for sid_ in slot_ids:
                            votes.append(
                                {
                                    "id": vote_id,
                                    "poll_id": poll_id,
                                    "slot_id": sid_,
                                    "user_id": uid,
                                    "answer": rng.choice(("yes", "yes", "maybe", "no")),
                                    "updated_at": closes - timedelta(days=1),
                                }
                            )
                            vote_id += 1
                poll_id += 1
                if len(polls) >= 100:
                    bar.update(len(polls))
                    self._flush_polls(conn, polls, slots, participants, votes)
            bar.update(len(polls))
            self._flush_polls(conn, polls, slots, participants, votes)

    def _flush_polls(self, conn, polls, slots, participants, votes) -> None:
        self._insert(conn, Poll, polls)
        self._insert(conn, PollSlot, slots)
        self._insert(conn, PollParticipant, participants)
        self._insert(conn, PollVote, votes)
        for rows in (polls, slots, participants, votes):
            rows.clear()


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, _n):
        pass


def _spread(total: int, parts: int, rng: random.Random, cap: int) -> list[int]:
    """``parts`` sizes ≥ 1 adding up to ``total``, heavy-tailed (a few long threads),
    none above ``cap`` unless there is no other way."""
    weights = [rng.paretovariate(1.4) for _ in range(parts)]
    extra = total - parts
    scale = extra / sum(weights)
    sizes = [1 + min(cap - 1, int(w * scale)) for w in weights]
    missing = total - sum(sizes)
    order = list(range(parts))
    while missing > 0:
        rng.shuffle(order)
        progressed = False
        for index in order:
            if missing == 0:
                break
            if sizes[index] < cap:
                sizes[index] += 1
                missing -= 1
                progressed = True
        if not progressed:
            cap *= 2
    return sizes


def _ascii(value: str) -> str:
    bare = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.-]+", "-", bare.lower()).strip("-.") or "person"


def _dutch(surnames: str) -> list[str]:
    """Dutch surnames keep their particles ("de Vries")."""
    words, out, particle = surnames.split(), [], []
    for word in words:
        if word in ("de", "van", "den", "der"):
            particle.append(word)
        else:
            out.append(" ".join(particle + [word]))
            particle = []
    return out


def _slug(name: str, taken: set[str]) -> str:
    base = _ascii(name).replace(".", "-")[:56].strip("-")
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _reset_sequences(conn) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.autoincrement or not column.primary_key:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT MAX(id) FROM {table.name})) "
                f"WHERE EXISTS (SELECT 1 FROM {table.name})"
            )
        )


def generate(
    *,
    seed: int = DEFAULT_SEED,
    factor: float = 1.0,
    force: bool = False,
    today: date | None = None,
    progress: bool = False,
    echo=click.echo,
) -> dict:
    """Write the data set; returns {"counts": rows per table, "seconds": …}.

    Refuses a database that already has people, groups or posts unless ``force``:
    then the set is added beside what is there (new ids, e-mails and slugs that
    cannot collide), and is no longer identical to a run on an empty database.
    """
    if factor <= 0:
        raise click.BadParameter("the factor must be positive", param_hint="--factor")
    started = time.monotonic()
    engine = db.engine
    db.session.remove()
    with engine.connect() as conn:
        found = existing_data(conn)
        conn.rollback()
        if any(found.values()) and not force:
            raise click.ClickException(
                "The database already has data ("
                + ", ".join(f"{v} {k}" for k, v in found.items())
                + "). `flask demo scale` fills an empty database; pass --force to add "
                "the generated set beside the existing data."
            )
        sqlite = conn.dialect.name == "sqlite"
        # A large page cache for the inserts (the indexes of a million posts).
        raw = conn.connection.driver_connection if sqlite else None
        if raw is not None:
            raw.execute("PRAGMA cache_size=-262144")
        try:
            generator = Generator(
                seed,
                factor,
                today or datetime.now(UTC).date(),
                progress,
                echo,
            )
            written = generator.run(conn)
        finally:
            if raw is not None:
                raw.execute("PRAGMA cache_size=-2000")
        if raw is not None:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "counts": written,
        "seconds": time.monotonic() - started,
        "people": generator.people,
        "secretariat": generator.secretariat,
    }


def fingerprint() -> str:
    """A digest of every generated table's rows (without password hashes, whose salt
    is random), to compare two runs."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.c if c.name != "password_hash"]
        order = list(table.primary_key.columns) or columns
        for row in db.session.execute(select(*columns).order_by(*order)):
            digest.update(json.dumps(list(row), default=str).encode())
    db.session.commit()
    return digest.hexdigest()


def sample_sign_ins(limit: int = 8) -> list[tuple[str, str]]:
    """A few generated people who can write in a group: (e-mail, group slug)."""
    rows = db.session.execute(
        select(User.email, Group.slug)
        .join(Membership, Membership.user_id == User.id)
        .join(Group, Group.id == Membership.group_id)
        .where(
            Membership.status == "active",
            Membership.role.in_(("member", "chair")),
            User.is_active.is_(True),
            User.is_secretariat.is_(False),
            Group.is_archived.is_(False),
        )
        .order_by(User.id)
        .limit(limit)
    )
    return [tuple(r) for r in rows]


def describe(counts: dict[str, int]) -> str:
    keys = [
        "users", "groups", "memberships", "threads", "posts", "documents",
        "document_versions", "meetings", "agenda_items", "polls", "poll_votes",
    ]  # fmt: skip
    return ", ".join(f"{counts.get(k, 0):,} {k.replace('_', ' ')}" for k in keys)

"""Sentence templates for the synthetic interview speech of ``scripts/make_ner_data.py``.

Written for qual: how social workers, team managers and school staff talk about children,
families, schools, councils and referrals in an evaluation interview. Nothing here is taken
from an evaluation or regression set. Slots in braces are filled by the builder:

    {first} {full} {titled} {wordname}   a person (a first name; a full name; Mrs Surname;
    {surname} {surname_plural}            a first name that is also an English word; a
                                          surname alone; a family: "the Okafors")
    {school} {school_short} {council} {org}    an organisation (ORG)
    {la} {place} {abroad} {country} {street} {estate}    a place (LOC)
    {word}                                a name-word used as an ordinary word (no label)

Templates in ``PLAIN`` carry no entity at all: domain vocabulary, capitalised terms that are
no identifiers, and the words that are also names used as words, so the model learns that
"Early Help", "MASH", "Year 9", "I will" and "the amber rating" are not entities.
"""

from __future__ import annotations

SLOT_LABELS = {
    "first": "PERSON", "full": "PERSON", "titled": "PERSON", "wordname": "PERSON",
    "school": "ORG", "school_short": "ORG", "council": "ORG", "org": "ORG",
    "la": "LOC", "place": "LOC", "abroad": "LOC", "country": "LOC", "street": "LOC",
    "estate": "LOC", "surname": "PERSON", "surname_plural": "PERSON",
}

WITH_ENTITIES = [
    # children and families
    "So I started working with {first} back in the spring, she was in Year 8 then.",
    "{first} was really struggling with attendance and mum wasn't engaging at all.",
    "I went out on a home visit with {full} and we saw the younger siblings as well.",
    "{titled} rang the school on the Monday morning really upset about it.",
    "Mum's partner, {full}, was living there on and off, which we didn't know about.",
    "There was a little lad, {first}, he's in Year 7, and he'd been self-harming.",
    "Yeah so {first}'s mum had been to the food bank three times that month.",
    "{first} and her brother {first} were both open to Early Help at that point.",
    "I'd say {first} trusts me now, which took a long time to be honest.",
    "We had a strategy meeting about {full} and it went to Section 47 in the end.",
    "The dad, {titled}, was quite hostile when we first went round.",
    "She's got three kids, {first}, {first} and the baby, {first}.",
    "And {wordname} was upset, and {wordname}'s mum rang me straight away.",
    "{wordname} came to see me at lunchtime because she didn't want to go home.",
    "I spoke to {wordname} about it and he said his nan had been poorly.",
    "Me and {wordname} sat down in the library and did a bit of work on feelings.",
    "Nan, that's {full}, she's the one holding it all together really.",
    "It was {titled} who first raised it with the DSL.",
    "We did a piece of direct work with {first} around healthy relationships.",
    "{first} disclosed to a teaching assistant, {titled}, during a PE lesson.",
    "So the family, the {surname_plural}, they'd moved up from {place} about a year ago.",
    "{first} had been missing from home twice, both times found in {place}.",
    "Her dad is back in {abroad} so it's just mum and the two girls now.",
    "The family came over from {country} in 2019 and mum doesn't have much English.",
    "He's got family in {abroad} and talks about going back there.",
    "Apparently {first} had been staying with an aunt in {place} over the holidays.",
    "I think {first} is a young carer really, she does everything for mum.",
    "There's an older brother, {full}, who's known to the youth offending team.",
    "{full} is seventeen now and he's still coming in to see me.",
    "When I met {first} she wouldn't even look at me, and now she's chatting away.",
    "{first} said to me, miss, you're the only one who listens.",
    "His stepdad {first} is really supportive, to be fair to him.",
    "The referral was about {full} but it was really about the whole family.",
    "I can't remember if it was {first} or {first} who told me first.",
    "Grandad, {titled}, picks them up from school most days.",
    # professionals
    "My manager, {full}, was really good about giving me the time.",
    "The DSL at the time was {titled} and she was brilliant.",
    "I supervise {first} and {first} and they're both based in schools.",
    "{full} from CAMHS came to the meeting, which was a first.",
    "I had a chat with {titled}, the head of year, and she agreed to it.",
    "{first} the SENCO has been fantastic with the EHCP stuff.",
    "Our team manager {first} set it all up before I started.",
    "I shadowed {full} for the first two weeks which really helped.",
    "I'd ring {first} on the duty desk and she'd tell me if it was open.",
    "{titled} was the head teacher then, he's since left.",
    "The attendance officer, {first}, she knows every family on the estate.",
    "The police officer who came was {titled}, she was really good with him.",
    "Me and {first} from the school nursing team did a joint visit.",
    "{full} chaired the child protection conference.",
    "Dr {surname} from the paediatric team wrote the report.",
    "My name's {full} and I'm one of the SWIS social workers.",
    "Hi, I'm {first}, I'm a team manager in the children's service.",
    "Thanks for joining, {first}.",
    "Thanks {first}, that's really helpful.",
    "So {first}, could you tell me a bit about your role?",
    "I'll hand over to {first} now, she's leading this bit.",
    # schools
    "I'm based at {school} three days a week and {school} the other two.",
    "At {school} they gave me an office next to the pastoral team.",
    "{school} have been brilliant, they really bought into it from day one.",
    "I was at {school} before this, as a pastoral lead.",
    "The DSL at {school_short} and I meet every Monday morning.",
    "She transferred from {school} to {school} in Year 9.",
    "So at {school_short}, the kids call me the social worker lady.",
    "{school_short} is a big school, about fourteen hundred pupils.",
    "Her little brother is at {school}, just down the road.",
    "We've had a lot of referrals out of {school} this year.",
    "I've got two schools, {school} and {school}.",
    "He was excluded from {school} and ended up in the PRU.",
    "At {school} the head was really keen on it.",
    "The feeder primary, {school}, sends us their safeguarding files.",
    # local authorities and councils
    "I work for {la} children's services, in the front door team.",
    "{council} were one of the first to sign up for the trial.",
    "It's different in {la}, their threshold for Early Help is much lower.",
    "I'd moved from {la} where I'd done four years in child protection.",
    "The referral went to the MASH in {la} and came back as no further action.",
    "{council} pays for the posts until next March.",
    "We cover the whole of {la}, so it's a lot of driving.",
    "I think in {la} they've got a different model altogether.",
    "The family moved over to {la} so the case transferred.",
    "Our director at {council} came and visited the school.",
    # places, streets, estates
    "Most of our families live on the {estate}, which has a lot going on.",
    "They were living at {street} when the police were called.",
    "He lives on {street}, just round the corner from the school.",
    "There's a lot of county lines stuff around {place} at the moment.",
    "She was found in {place} at two in the morning.",
    "The family have been rehoused to {place}, which is miles from school.",
    "We did the visit at {street}, the nan's house.",
    "It's a really tight community up on the {estate}.",
    "He gets the bus in from {place} every day, it's over an hour.",
    "There was an incident in the park on the {estate} last week.",
    "They were in temporary accommodation in {place} for six months.",
    "The contact centre is over in {place}, so mum needs two buses.",
    "A lot of the kids come from {place} and {place}.",
    "Dad went back to {abroad} and hasn't been in touch since.",
    "Mum's family are all in {abroad}, so there's no support here.",
    "She'd been on holiday in {abroad} and came back really withdrawn.",
    "They'd lived in {country} and then {country} before coming here.",
    "He was born in {abroad} but he's lived in {place} since he was little.",
    "The address was {street}, {place}.",
    # organisations
    "We referred mum to {org} for the domestic abuse support.",
    "{org} run a group on Thursdays that a few of our girls go to.",
    "The lad's been going to {org} after school, which has been great.",
    "Mum got help with food from {org} over the summer.",
    "We work closely with {org}, they do the parenting course.",
    "There's a youth worker from {org} who comes in on Wednesdays.",
    "Dad works nights at {org} so it's mum doing the school run.",
    "She volunteers at {org} at the weekends.",
    "I signposted them to {org} and they got the housing sorted.",
    "The family go to {org} on Sundays, the pastor is really involved.",
    # names inside transcriber annotations
    "[inaudible, sounded like {full}] and then she said she'd ring back.",
    "So we went to see [inaudible 00:14:21 - sounded like {first}] at home.",
    "(laughs at {first}'s joke) yeah he's a character.",
    "It was [crosstalk] {first}, sorry, {first} who told me.",
    # spelled names and short answers
    "It's {first}, that's how you spell it.",
    "{full}. Yeah.",
    "{first}? Yeah, she's lovely.",
]

# Lines with no context around the name: sign-offs, a name alone, a Teams speaker line. qual
# runs the model one line at a time, so these are common (and rules alone miss unlisted names).
SHORT_LINES = [
    "{first}", "{full}", "{first}.", "{full}   {clock}", "{first} {surname}   {clock}",
    "Thanks, {first}", "Thanks {first}!", "Cheers, {first}", "Kind regards, {full}",
    "Best wishes, {first}", "Hi {first},", "Dear {titled},", "{first}?", "{first}, yeah.",
    "Yeah, {first}.", "{titled}", "Morning {first}.", "{first} -", "From: {full}",
]

PLAIN = [
    "So SWIS is about having a social worker based in the school.",
    "We get a lot of referrals through the MASH and the front door.",
    "Early Help would pick it up if it didn't meet the threshold.",
    "It went to a Section 47 in the end, and then an initial child protection conference.",
    "She's in Year 9 now and doing much better.",
    "The DSL and I meet weekly to go through CPOMS.",
    "I will say that the school have been brilliant.",
    "I will be honest, it took a while to get going.",
    "Will it carry on after the trial? I really hope so.",
    "We use a red, amber, green rating for the cases.",
    "It's amber at the moment, so we keep an eye on it.",
    "It was in the summer term, just before the holidays.",
    "In the autumn term it all kicked off again.",
    "I lost my patience a bit, if I'm honest.",
    "It was a real joy to see her smile again.",
    "They live miles away from the school.",
    "It's been a blessing having someone on site.",
    "There's no hope of getting a CAMHS appointment before Christmas.",
    "Mark the attendance as authorised, the office told me.",
    "We'll see what the grace period looks like.",
    "It was a sunny day so we walked round the field.",
    "The river runs right behind the school.",
    "It's a brook really, not a river.",
    "She can't wait to go to college.",
    "He's a bit of a hunter gatherer, always looking for food.",
    "I think the rose garden was a lovely idea for the kids.",
    "We went through the Signs of Safety framework together.",
    "Ofsted came in March and they mentioned the SWIS role.",
    "The EHCP review is next week.",
    "It's a Child in Need plan at the moment, so Section 17.",
    "The LADO was involved because it was a member of staff.",
    "Operation Encompass means the school hears the next morning.",
    "We use Teams for the meetings and WhatsApp for quick messages.",
    "She's on the CIN plan, and the CP plan ended in September.",
    "Universal Credit has made things really hard for a lot of families.",
    "The NSPCC training was good, and so was the MARAC stuff.",
    "I think the Pupil Premium pays for some of the breakfast club.",
    "Honestly, it's the best job I've ever had.",
    "Um, yeah, I think so, I think it's working.",
    "Yeah. Yeah, definitely.",
    "Sorry, can you repeat the question?",
    "Okay, I think we're recording now.",
    "Thanks for your time today, that's really helpful.",
    "It's a Monday and Wednesday thing, and Friday mornings.",
    "Interviewer: And how did that feel?",
    "Participant: It felt like we were finally getting somewhere.",
    "Speaker 2: I'd say the relationships with staff are the main thing.",
    "SW: Yeah, I'd agree with that.",
    "The Graded Care Profile was useful for the neglect cases.",
    "We did the Liquidlogic training in the first week.",
    "The Virtual School was involved because he's looked after.",
    "The Family Hub does the parenting course now.",
    "It's the same with the Youth Justice Service.",
    "Her English is good but mum needs an interpreter.",
    "I think the Covid year changed everything.",
    "The head said we could use the meeting room on Fridays.",
    "She's thirteen and she's got a lot on her plate.",
    "We'll do a TAF meeting and see where we are.",
    "He's got ADHD and he's waiting on an autism assessment.",
    "May I just check the spelling of that?",
    "By May half term things had settled down.",
    "The grant runs out in April, so we're waiting to hear.",
    "It's all about early intervention, really.",
    "I can't stress enough how much the trust matters.",
    "Some of the staff were a bit wary at first.",
    "The children's social care team were stretched.",
    "We had a Christmas hamper thing through the church.",
    "It's a Catholic school, so the chaplain is involved too.",
    "He speaks Polish at home and English at school.",
    "Mum is Romanian and dad is British.",
    "There's a lot of Eid celebrations in the community, and Diwali too.",
    "She went to the Job Centre and they were really helpful.",
]

# Nationalities, languages, faiths, products, national bodies and machine-made codes: capitalised
# (or not) but no identifier here. Filled into sentences below, unlabelled.
NOT_NAMES = {
    "group": ["Albanian", "Scottish", "Welsh", "Irish", "Polish", "Romanian", "Somali", "Eritrean",
              "Punjabi", "Sikh", "Muslim", "Hindu", "Catholic", "Pentecostal", "Gaelic", "Urdu",
              "Bengali", "Vietnamese", "Kurdish", "Roma", "Traveller", "Nigerian", "Ghanaian",
              "Zimbabwean", "Pakistani", "Bangladeshi", "Chinese", "Afghan", "Syrian", "British",
              "English", "Jamaican", "Lithuanian", "Arabic", "Tigrinya", "Pashto", "Farsi"],
    "thing": ["Snapchat", "WhatsApp", "TikTok", "Instagram", "Teams", "Zoom", "CPOMS", "Mosaic",
              "Liquidlogic", "Excel", "Google", "YouTube", "Xbox", "PlayStation", "Fortnite",
              "Netflix", "Facebook", "Twitter", "Uno", "Lego"],
    "body": ["NHS", "Ofsted", "DWP", "CAMHS", "MASH", "NSPCC", "the police", "Barnardo's",
             "the council", "social care", "Early Help", "the Virtual School", "the LADO",
             "Youth Justice", "the Home Office", "HMRC", "the DfE", "the local authority"],
    "code": ["#0508a6", "#D62728", "BADGE-4471", "A396771C-DA20", "REF-2231", "v2.1", "Q3",
             "SW01", "TM02", "P12", "KS3", "KS4", "Y9", "EHCP", "S47", "CP1", "0800", "24/7"],
}
NOT_NAME_SENTENCES = [
    "Mum is {group} and speaks {group} at home.", "{group} is her first language.",
    "There's a big {group} community round here.", "He's {group}, so the mosque is important.",
    "They're a {group} family, they go to church every week.", "An {group} interpreter came.",
    "She messaged him on {thing} all night.", "We did the meeting on {thing}.",
    "It's all logged on {thing} now.", "He spends all weekend on {thing}.",
    "{body} got involved after the second incident.", "We escalated it to {body}.",
    "I rang {body} and they said to send it over.", "{body} were brilliant, to be fair.",
    "The file is {code} in the spreadsheet.", "Colour {code} is the amber one.",
    "Code {code} means it was closed.", "It was logged as {code}.", "{code}",
    "Thresholds were the big thing.", "Lockdown changed everything for them.",
    "Whereas now we just ring each other.", "We just get on with it.", "Parents were worried.",
    "Doorstep visits were the only way in lockdown.", "Course I did, I'm not daft.",
    "Staff were brilliant about it.", "Attendance was terrible in Year 10.",
    "Safeguarding is everyone's job.", "Supervision is monthly.", "Thanks, that's great.",
]

# Words that are also first names, each with a sentence using it as an ordinary word. The
# builder fills {word} with the word, unlabelled, so "will", "amber" and "joy" in their ordinary
# senses stay outside every entity.
WORD_USES = {
    "will": ["I {word} chase that up tomorrow.", "She {word} not talk to the police."],
    "mark": ["They {word} the register at nine.", "It left a {word} on her arm."],
    "amber": ["It's {word} on the RAG rating.", "The light was on {word}."],
    "dawn": ["They came round at {word}, it was a dawn raid.", "It was just before {word}."],
    "joy": ["There was real {word} in the room.", "She brings so much {word}."],
    "grace": ["There's a {word} period on the rent.", "She handled it with such {word}."],
    "hope": ["I {word} it carries on.", "There's not much {word} of a place."],
    "faith": ["I've got {word} in the process.", "The {word} groups have been helpful."],
    "summer": ["Over the {word} it all went quiet.", "The {word} holidays are hard for them."],
    "autumn": ["In the {word} term we started again.", "It was {word} when they moved."],
    "patience": ["You need a lot of {word} in this job.", "I lost my {word} with them."],
    "rose": ["Referrals {word} sharply after Christmas.", "Her anxiety {word} again."],
    "may": ["It {word} be that she's just tired.", "You {word} want to ask the DSL."],
    "sunny": ["It was {word} so we went outside.", "She's got a {word} personality."],
    "hunter": ["He's a bit of a bargain {word}.", "They went on a treasure {word}."],
    "brook": ["There's a {word} at the back of the field.", "They crossed the {word}."],
    "river": ["They live down by the {word}.", "The {word} flooded last winter."],
    "precious": ["Time is {word} in this job.", "Those sessions are {word} to her."],
    "miles": ["It's {word} away from the school.", "She walks {word} every day."],
    "blessing": ["It's been a {word} having him here.", "A {word} in disguise, really."],
    "jack": ["I'm a {word} of all trades in this role.", "They had to {word} the car up."],
    "bill": ["They couldn't pay the gas {word}.", "The {word} came to two hundred pounds."],
    "frank": ["We had a {word} conversation about it.", "To be {word}, it was a mess."],
    "chase": ["I had to {word} the referral up.", "It was a wild goose {word}."],
    "holly": ["They had {word} up for Christmas.", "There's a {word} bush by the gate."],
    "sky": ["The {word} was grey all day.", "They've got {word} TV but no food."],
    "star": ["She's a real {word} in class.", "He got {word} of the week."],
    "king": ["He thinks he's {word} of the castle.", "A {word} size bed for the kids."],
    "young": ["She's very {word} for her age.", "The {word} carers group meets on Tuesday."],
    "grant": ["We got a {word} from the council.", "I'll {word} you that."],
    "heather": ["There's {word} on the moors.", "It was all {word} and bracken."],
    "ash": ["There was {word} everywhere after the fire.", "The {word} tree came down."],
    "robin": ["A {word} was on the fence.", "We saw a {word} in the garden."],
    "daisy": ["She made a {word} chain.", "The field was full of {word}s."],
    "sue": ["They might {word} the landlord.", "Dad threatened to {word}."],
    "pat": ["I gave him a {word} on the back.", "She's got her answers off {word}."],
    "ray": ["A {word} of hope, honestly.", "There was a {word} of sunshine."],
    "lily": ["There's a {word} pad in the pond.", "They brought a {word} for the teacher."],
    "dean": ["The {word} of the college rang.", "He's the {word} of students."],
    "rich": ["It's a {word} area, but there's poverty too.", "That's {word}, coming from him."],
    "chance": ["She didn't get a {word} to say goodbye.", "By {word} I was there."],
    "harmony": ["There's not much {word} at home.", "The choir sang in {word}."],
    "crystal": ["It was {word} clear what she wanted.", "A {word} glass got broken."],
    "august": ["In {word} we had the summer scheme.", "It's a very {word} institution."],
}

ESTATE_WORDS = ["estate", "Estate", "flats", "Flats", "Park estate", "Farm estate"]
STREET_WORDS = ["Road", "Street", "Lane", "Close", "Avenue", "Drive", "Way", "Crescent",
                "Walk", "Terrace", "Grove", "Gardens", "Court", "Place", "Rise", "View"]
SCHOOL_WORDS = ["Academy", "High School", "Primary School", "Primary", "Community College",
                "Technology College", "Catholic Academy", "Infant School", "Junior School",
                "Free School", "Grammar School", "School", "C of E Primary", "High",
                "Church of England Academy", "Community School", "Primary Academy",
                "Learning Centre", "Pupil Referral Unit"]
ORG_WORDS = ["Young Carers", "Family Centre", "Foodbank", "Food Bank", "Women's Aid",
             "Youth Hub", "Youth Project", "Mind", "Housing Association", "Community Church",
             "Boxing Club", "Football Club", "Safe Futures", "Foods", "Carers Centre",
             "Baptist Church", "Methodist Church", "Mosque", "Islamic Centre", "Gurdwara",
             "Community Trust", "Homes", "Family Support", "Pentecostal Church",
             "Community Association", "Adventure Playground", "Recovery Service", "Fellowship",
             "Credit Union", "Wellbeing Centre", "Tenants Association", "Outreach"]
ORG_FIRST_WORDS = ["Greenacre", "Phoenix", "Harbour", "Beacon", "Sunrise", "Lighthouse",
                   "Oakwood", "New Horizons", "Brightside", "Open Door", "Hearth", "Kindred",
                   "Riverside", "Stepping Stones", "Springboard", "Anchor", "Crossroads",
                   "Hillview", "Redwood", "Willowbank", "Fresh Start", "Northgate", "Eastside",
                   "Bluebell", "Cornerstone", "Meadowbank", "Emmanuel", "Zion", "Victory",
                   "Grace Fellowship", "Al-Noor", "Guru Nanak", "Bethel", "Hopewell"]
SAINTS = ["Bede", "Columba", "Oswald", "Cuthbert", "Aidan", "Hilda", "Wilfrid", "Chad",
          "Anne", "Mary", "Joseph", "Patrick", "Bernadette", "Teresa", "Francis", "Benedict",
          "Thomas More", "John Fisher", "Edmund", "Margaret", "Peter", "Paul", "Augustine",
          "Dunstan", "Alban", "Swithun", "David", "Winefride", "Kentigern", "Ninian"]
TITLES = ["Mrs", "Mr", "Ms", "Miss", "Dr", "Mrs", "Mr", "Ms", "Miss", "Nurse", "Pastor", "Sister",
          "PC", "Sergeant", "Councillor", "Imam", "Father", "Reverend"]

# Surnames from the communities a British caseload meets, beside the US-census list that qual
# ships (which leans Anglo and Hispanic). Written for this builder.
EXTRA_SURNAMES = """
Khan Ahmed Hussain Ali Begum Akhtar Iqbal Rahman Mahmood Chaudhry Shah Malik Bibi Hassan Raza
Patel Shah Mistry Chauhan Desai Joshi Parmar Solanki Sandhu Dhillon Gill Sidhu Bains Kaur Singh
Grewal Johal Uddin Miah Choudhury Islam Karim Okafor Okonkwo Adeyemi Oyelaran Adebayo Balogun
Mensah Boateng Asante Owusu Osei Mutasa Moyo Ncube Dube Chiweshe Banda Phiri Mwangi Otieno
Abdi Farah Warsame Mohamud Jama Yusuf Omar Nowak Kowalski Wiśniewski Wojcik Kaminski Lewandowski
Zielinski Popescu Ionescu Dumitru Stan Radu Gashi Krasniqi Berisha Hoxha Shehu Nguyen Tran Pham
Le Hoang Huynh Wong Chen Li Zhang Wang Liu Lin Chan Leung Cheung Kaur Murphy O'Brien O'Neill
Kelly Byrne Doherty Gallagher McLaughlin MacLeod MacInnes McDonald Campbell Stewart Fraser
Jones Evans Davies Hughes Pryce Gwilliam Llewellyn Vaughan Rees Powell Price Thomas Griffiths
Smith-Jones Vaughan-Jones Ahmed-Ali Taylor-Brown Clarke-Williams Oduya Nwachukwu Eze Bello Ibrahim
Suleiman Kaya Yilmaz Demir Celik Sahin Rossi Russo Ferreira Silva Santos Costa Oliveira Novak
Horvath Petrov Ivanova Kuznetsov Papadopoulos Georgiou Costello Heslop Thornbury Quenby Trebilcock
""".split()

# First names from many backgrounds that the ONS list may hold only rarely.
EXTRA_FIRST_NAMES = """
Tendai Tatenda Nyasha Rufaro Chipo Farai Kudzai Blessing Precious Comfort Chidi Chiamaka Emeka
Ngozi Oluwaseun Temitope Ayodele Kwame Kofi Ama Abena Yaw Amara Zainab Fatima Aisha Maryam Amina
Bilal Hamza Yusuf Idris Ibrahim Mustafa Arbër Besa Elira Drita Ardit Bao Minh Thuy Duong Linh
Huong Anh Mei Jing Wei Hao Xin Priya Anjali Rohan Arjun Devansh Gurleen Jaspal Harpreet Manpreet
Simran Navdeep Ionuț Andrei Mihai Ioana Bogdan Kacper Zuzanna Wiktoria Jakub Oliwia Szymon Agnieszka
Siobhán Aoife Niamh Ciarán Oisín Eilidh Mhairi Ruairidh Catriona Siân Rhiannon Cerys Dylan Gethin
Bronwen Tegan Ffion Kayden Tyler-Jay Kayleigh Ellie-Mae Lacey-Rose Harley Bailey Paige Jayden
Demi-Leigh Kai Tia Skye Reece Kyle Courtney Shannon Jade Chantelle Leon Mason Alfie Tommy-Lee
""".split()

ABROAD = """
Toronto;Colorado Springs;Lagos;Abuja;Accra;Kumasi;Harare;Bulawayo;Nairobi;Mogadishu;Hargeisa;
Karachi;Lahore;Islamabad;Mirpur;Dhaka;Sylhet;Delhi;Mumbai;Amritsar;Ludhiana;Jalandhar;Kabul;
Tehran;Baghdad;Erbil;Damascus;Aleppo;Khartoum;Asmara;Addis Ababa;Kampala;Kinshasa;Luanda;
Bucharest;Cluj;Iasi;Warsaw;Krakow;Gdansk;Wroclaw;Vilnius;Kaunas;Riga;Tallinn;Prague;Bratislava;
Budapest;Sofia;Tirana;Pristina;Prizren;Zagreb;Belgrade;Kyiv;Lviv;Kharkiv;Odesa;Istanbul;Ankara;
Athens;Lisbon;Porto;Madrid;Malaga;Barcelona;Paris;Lyon;Marseille;Brussels;Antwerp;Amsterdam;
Rotterdam;Berlin;Hamburg;Munich;Frankfurt;Cologne;Vienna;Zurich;Geneva;Milan;Rome;Naples;
Palermo;Dublin;Cork;Limerick;Galway;New York;Boston;Chicago;Houston;Dallas;Atlanta;Miami;
Los Angeles;San Diego;Seattle;Vancouver;Montreal;Calgary;Sydney;Melbourne;Brisbane;Perth;
Auckland;Wellington;Cape Town;Johannesburg;Durban;Kingston;Montego Bay;Port of Spain;Bridgetown;
Hanoi;Ho Chi Minh City;Hai Phong;Manila;Hong Kong;Shanghai;Beijing;Guangzhou;Fuzhou;Singapore;
Kuala Lumpur;Dubai;Abu Dhabi;Doha;Riyadh;Jeddah;Cairo;Alexandria;Casablanca;Tunis;Algiers;
Sao Paulo;Rio de Janeiro;Lima;Bogota;Caracas;Quito;Santiago;Buenos Aires;Mexico City;Guadalajara;
Tenerife;Lanzarote;Benidorm;Magaluf;Alicante;Faro;Crete;Corfu;Florida;Texas;Ontario;Punjab;
Kerala;Gujarat;Kashmir;Sindh;Bavaria;Tuscany;Brittany;Normandy;Transylvania;Silesia;Kosovo
""".replace("\n", "").split(";")

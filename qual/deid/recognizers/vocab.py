"""Small closed word classes that the recognizers share: titles, kin words, the head words
of school, organisation and street names, determiners. Lower-case unless said otherwise."""

from __future__ import annotations

# Forms of address that precede a name. "Miss" and "Sir" are also how pupils address staff.
TITLES = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "mister", "missus", "master", "dr", "doctor", "prof",
    "professor", "sir", "dame", "lady", "lord", "rev", "revd", "reverend", "father", "sister",
    "brother", "pastor", "imam", "rabbi", "cllr", "councillor", "judge", "justice", "pc", "dc",
    "ds", "di", "dci", "sgt", "sergeant", "inspector", "constable", "officer", "nurse", "coach",
    "auntie", "aunty", "aunt", "uncle", "nan", "nana", "nanny", "gran", "granny", "grandma",
    "grandad", "granddad", "grandpa", "cousin",
})
# Titles after which a single capital letter is a surname initial ("Mr B").
FORMAL_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "cllr", "pc", "dc",
                           "ds", "di", "dci", "sgt", "rev", "revd", "mister", "master"})

# "<Name>'s mum": the kin word after a possessive marks the possessor as a person.
KIN_WORDS = frozenset({
    "mum", "mam", "mom", "mummy", "mother", "dad", "daddy", "father", "parent", "parents",
    "brother", "brothers", "sister", "sisters", "sibling", "siblings", "nan", "nana", "nanny",
    "gran", "granny", "grandma", "grandad", "granddad", "grandmother", "grandfather",
    "grandparents", "aunt", "auntie", "aunty", "uncle", "cousin", "cousins", "family",
    "stepdad", "stepmum", "stepfather", "stepmother", "partner", "boyfriend", "girlfriend",
    "husband", "wife", "son", "daughter", "baby", "child", "children", "kids", "carer",
    "carers", "foster", "teacher", "teachers", "friend", "friends", "mate", "mates",
    "house", "home", "room", "bedroom", "behaviour", "attendance", "case", "needs", "name",
    "school", "class", "worker", "social", "nursery", "birthday", "dog", "phone", "plan",
})
# ... and those of them that are people ("my son's eleven"; not "his attendance is eighty-five")
KIN_PEOPLE = KIN_WORDS - frozenset({"house", "home", "room", "bedroom", "behaviour", "attendance", "case",
                                    "needs", "name", "school", "class", "social", "nursery", "birthday",
                                    "dog", "phone", "plan", "family"})

# Words after which an ordinary-looking capitalised word is no name ("the Head", "a Court").
DETERMINERS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "our", "my", "your", "his", "her",
    "their", "its", "every", "each", "any", "some", "no", "another", "which", "what", "whose",
})

# Words before a place or institution name ("in Castlebrook", "at Oakfield").
PLACE_PREPOSITIONS = frozenset({
    "in", "at", "from", "to", "near", "around", "outside", "into", "towards", "toward",
    "round", "via", "across", "through", "past", "called", "named", "visit", "visited",
    "live", "lives", "lived", "living", "moved", "move", "based", "grew",
})

# "called Jayden", "named Jayden", "known as Jayden"
NAMING_WORDS = frozenset({"called", "named", "nicknamed", "name's", "names", "calls"})

# Last words of a school's name.
SCHOOL_HEADS = frozenset({
    "school", "academy", "college", "primary", "infants", "infant", "juniors", "junior",
    "nursery", "high", "grammar", "prep", "preparatory", "secondary", "comprehensive",
    "pru", "utc", "sixth", "studio",
})
# Words that may stand inside a school's name but do not name it on their own.
SCHOOL_GENERIC = frozenset({
    "school", "schools", "academy", "academies", "college", "primary", "infant", "infants",
    "junior", "juniors", "nursery", "high", "grammar", "prep", "preparatory", "secondary",
    "comprehensive", "community", "church", "of", "england", "ce", "c", "e", "rc", "catholic",
    "roman", "methodist", "the", "and", "&", "st", "st.", "saint", "free", "special", "studio",
    "sixth", "form", "upper", "lower", "middle", "first", "girls", "boys", "girls'", "boys'",
    "federation", "trust", "learning", "centre", "center", "pupil", "referral", "unit",
    "virtual", "hospital", "independent", "international", "day", "technical", "voluntary",
    "aided", "controlled", "foundation", "county", "village", "town", "city", "new", "old",
    "multi", "multi-academy", "education", "educational", "alternative", "provision", "jmi",
    "j", "i", "n", "cofe", "c.e.", "r.c.", "va", "vc", "ja", "ji", "park", "road", "lane",
    "green", "hill", "house", "house's", "our", "lady", "holy", "sacred", "heart", "blessed",
    "corpus", "christi", "christ", "king", "all", "saints", "souls", "martyrs", "english",
})

# Last words of a local organisation's name (a national body is on the keep-list instead).
ORGANISATION_HEADS = frozenset({
    "trust", "hospital", "surgery", "practice", "clinic", "centre", "center", "hub", "church",
    "chapel", "mosque", "temple", "gurdwara", "synagogue", "cathedral", "foundation",
    "charity", "association", "society", "club", "fc", "ltd", "limited", "plc", "llp", "cic",
    "group", "partnership", "housing", "homes", "home", "services", "service", "project",
    "network", "council", "police", "constabulary", "nhs", "ccg", "icb", "team", "unit",
    "library", "college", "university", "hall", "house", "lodge", "court", "prison", "yoi",
    "forum", "alliance", "collective", "federation", "agency", "company", "co", "inc",
    "aid", "advice", "carers", "refuge", "hostel", "shelter", "bank", "pantry", "kitchen", "ministries",
    # businesses, venues and congregations named by a generic last word ("Greenway Foods",
    # "Resurrection Power Assembly", "Brindlemoor Safe Futures", "Miller's Garage")
    "foods", "assembly", "futures", "fellowship", "tabernacle", "ministry", "mission",
    "store", "stores", "shop", "supermarket", "market", "cafe", "café", "restaurant", "pub",
    "inn", "hotel", "bar", "salon", "garage", "motors", "pharmacy", "chemist", "bakery",
    "gym", "studios", "works", "industries", "solutions", "consulting", "enterprises",
    "holdings", "logistics", "museum", "gallery", "theatre", "cinema", "stadium", "arena",
    "auditorium", "airport",
    # groups that meet ("Noor Women's Circle", "the Hope Street Initiative")
    "circle", "initiative", "sanctuary", "foodbank", "foodbanks",
})
ORGANISATION_GENERIC = frozenset({
    "the", "of", "and", "&", "for", "children's", "childrens", "children", "family",
    "families", "young", "people", "people's", "youth", "community", "health", "mental",
    "medical", "primary", "care", "social", "local", "county", "city", "borough", "district",
    "metropolitan", "royal", "general", "district", "national", "regional", "integrated",
    "board", "partnership", "services", "service", "support", "centre", "center", "trust",
    "foundation", "hospital", "nhs", "group", "team", "unit", "hub", "club", "church",
    "council", "police", "housing", "association", "project", "network", "early", "help",
    "safeguarding", "multi", "agency", "multi-agency", "st", "st.", "saint", "new", "old",
    "house", "hall", "court", "home", "homes", "practice", "surgery", "clinic", "library",
    "university", "college", "ltd", "limited", "plc", "fc", "cic", "llp", "co", "inc",
    "women's", "men's", "parents", "parent", "carers", "victim", "victims", "domestic",
    "abuse", "drug", "alcohol", "recovery", "food", "bank", "baptist", "methodist",
    "catholic", "anglican", "pentecostal", "evangelical", "free", "united", "reformed",
    "central", "main", "north", "south", "east", "west", "upper", "lower", "great", "little",
    "constabulary", "prison", "yoi", "lodge", "forum", "alliance", "agency", "company",
})

# Street and estate names: "<Name> Road", "the <Name> estate".
STREET_HEADS = frozenset({
    "road", "rd", "street", "st", "avenue", "ave", "lane", "ln", "close", "drive", "dr", "way",
    "crescent", "grove", "gardens", "place", "terrace", "square", "walk", "rise", "row",
    "mews", "parade", "view", "park", "hill", "green", "court", "boulevard", "croft", "fold",
    "gate", "meadow", "meadows", "wharf", "yard", "chase", "vale", "brow", "bank", "heights",
    "estate", "flats", "tower", "towers", "house", "lodge", "manor", "precinct", "grange",
    "fields", "brook", "mount", "cross", "end", "side", "moor", "wood", "farm",
})
ESTATE_HEADS = frozenset({"estate", "flats", "tower", "towers", "precinct", "manor"})
# Words that end the name of a natural or built landmark ("Alcatraz Island", "the Peak
# District", "Manaus stadium", "Gulf of Mexico"): a place, wherever in the world.
LANDMARK_HEADS = frozenset({
    "island", "islands", "isle", "isles", "bay", "gulf", "strait", "straits", "peninsula",
    "coast", "beach", "lake", "loch", "lough", "river", "canal", "reservoir", "falls", "valley",
    "hills", "mountains", "mountain", "forest", "desert", "sea", "ocean", "strip", "district",
    "memorial", "monument", "museum", "gallery", "stadium", "arena", "airport", "station",
    "castle", "palace", "abbey", "bridge", "pier", "harbour", "harbor", "marina", "zoo",
    "theatre", "theater", "cinema", "restaurant", "cafe", "café", "hotel", "pub", "inn", "mall",
    "base", "camp",
})
# Words that end the name of a school, an organisation, a street or a landmark: a person's name
# stops before one ("Jo Camp" aside), and a name that ends in one is complete
NAME_HEADS = SCHOOL_HEADS | ORGANISATION_HEADS | STREET_HEADS | LANDMARK_HEADS

# Words for one person, before a name in apposition ("mum, Patience, was", "the DSL, Miles,").
PERSON_NOUNS = frozenset({
    "mum", "mam", "mom", "mother", "dad", "father", "parent", "brother", "sister", "nan", "nana",
    "gran", "granny", "grandma", "grandad", "granddad", "grandmother", "grandfather", "aunt",
    "auntie", "aunty", "uncle", "cousin", "twin", "stepdad", "stepmum", "stepfather", "stepmother",
    "partner", "boyfriend", "girlfriend", "husband", "wife", "son", "daughter", "baby", "carer",
    "teacher", "friend", "worker", "dsl", "head", "headteacher", "deputy", "manager", "colleague",
    "senco", "pastor", "officer", "nurse", "practitioner", "lead", "coordinator", "student", "pupil",
    "lad", "boy", "girl", "kid", "child", "youngest", "eldest", "oldest", "bairn", "toddler",
    "niece", "nephew", "grandson", "granddaughter", "mentor", "assistant", "counsellor",
    "counselor", "governor", "caretaker", "receptionist", "therapist", "psychologist", "keyworker",
    "advocate", "chaplain", "imam", "vicar", "priest", "coach", "tutor", "volunteer", "neighbour",
    "neighbor", "midwife", "doctor", "gp", "paediatrician", "solicitor", "adviser", "advisor",
    "supervisor", "director", "principal", "secretary", "administrator", "guardian", "foster",
    # the roles a safeguarding story names by their letters or their title
    "pcso", "constable", "sergeant", "detective", "idva", "isva", "caseworker", "interpreter",
    "paramedic", "psychiatrist", "consultant", "dentist", "visitor", "sendco", "ewo",
    "headmaster", "headmistress", "lawyer", "barrister", "magistrate", "judge", "chair",
})

# What follows a person's name as the subject of a clause ("miles is", "will said", "mark
# rang"): no reading of an ordinary word ("miles apart", "i will see", "hope you") is followed
# by these. Used where no capital says "name" (caseless text).
NAME_SUBJECT_VERBS = frozenset({
    "is", "was", "has", "had", "said", "says", "told", "tells", "rang", "rings", "phoned",
    "phones", "called", "calls", "emailed", "emails", "texted", "texts", "messaged", "asked",
    "asks", "thinks", "thought", "knows", "knew", "wants", "wanted", "came", "comes", "went",
    "goes", "does", "did", "sent", "sends", "gave", "gives", "got", "gets", "forwards",
    "forwarded", "agreed", "agrees", "felt", "feels", "seemed", "seems", "uses", "used",
    "grabs", "grabbed", "took", "takes", "made", "makes", "needs", "needed", "isn't", "wasn't",
    "hasn't", "hadn't", "doesn't", "didn't", "won't", "wouldn't", "can't", "couldn't",
    "mentioned", "mentions", "explained", "explains", "replied", "replies", "shouted",
    "found", "left", "kept", "brought", "spoke", "sat", "met", "saw", "heard", "wrote", "stood",
    "ran", "understands", "understood",
})
# Words before a name that stands alone as an object, set off by punctuation or "and" ("i
# said to will, let me", "a safety plan with rose, we got"): no modal or noun use fits there.
NAME_OBJECT_BEFORE = frozenset({"to", "with", "told", "asked", "tell", "ask", "thank", "thanked", "rang",
                                "phoned", "emailed", "texted", "messaged"})
# Pronouns coordinated with a name ("will and me decide", "me and will went").
NAME_COORDINATED = frozenset({"me", "him", "her", "i", "us", "them", "she", "he"})
# Adverbs that may stand between such a subject and its verb ("miles usually forwards it").
NAME_SUBJECT_ADVERBS = frozenset({
    "usually", "always", "just", "never", "often", "sometimes", "also", "then", "really",
    "actually", "probably", "definitely", "still", "already", "normally", "obviously",
})
# Words before an ordinary word's use, never before a name in subject position: a number or
# quantity ("two miles", "a few miles"), a pronoun before a modal ("i will", "that will").
NOT_BEFORE_A_NAME = frozenset({
    "i", "you", "we", "they", "he", "she", "it", "who", "that", "this", "which", "there",
    "few", "many", "several", "more", "less", "most", "of", "for", "per", "couple", "hundred",
    "thousand", "million", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "twenty", "fifty", "some", "no", "any", "all", "those", "these", "much",
})

# Council suffixes that make a place name a local authority.
COUNCIL_HEADS = ("council", "county council", "city council", "borough council",
                 "district council", "metropolitan borough council", "county",
                 "borough", "la", "local authority")

# Closed-class words: never a name, whatever a name list says ("He", "Will" is not here:
# it is a name as well as an auxiliary).
FUNCTION_WORDS = frozenset({
    "i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself", "you", "you're", "you've",
    "you'd", "you'll", "your", "yours", "he", "he's", "he'd", "he'll", "him", "his", "himself",
    "she", "she's", "she'd", "she'll", "her", "hers", "herself", "it", "it's", "its", "itself",
    "we", "we're", "we've", "we'd", "we'll", "us", "our", "ours", "they", "they're", "they've",
    "they'd", "they'll", "them", "their", "theirs", "this", "that", "that's", "these", "those",
    "there", "there's", "here", "what", "what's", "when", "where", "why", "how", "who", "who's",
    "which", "whose", "if", "then", "than", "because", "so", "and", "but", "or", "nor", "not",
    "no", "yes", "yeah", "the", "a", "an", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "into", "onto", "about", "as", "is", "are", "was", "were", "be", "been", "being",
    "am", "do", "does", "did", "done", "have", "has", "had", "having", "would", "should",
    "could", "must", "shall", "might", "just", "also", "very", "really", "all", "any", "some",
    "every", "each", "both", "either", "neither", "one", "ones", "okay", "ok", "well", "oh",
    "um", "erm", "er", "uh", "mm", "hmm", "like", "hi", "hello", "thanks", "thank", "please",
    "sorry", "right", "now", "still", "even", "only", "again", "too", "though", "although",
    "while", "whilst", "after", "before", "until", "since", "during", "over", "under", "up",
    "down", "out", "off", "through", "between", "against", "without", "within", "upon",
})

# Capitalised words that open a longer place name ("Upper Wendham", "North Tyneside")
PLACE_MODIFIERS = frozenset({"North", "South", "East", "West", "Northern", "Southern", "Eastern",
                             "Western", "New", "Old", "Upper", "Lower", "Greater", "Great", "Little",
                             "Central", "Inner", "Outer", "Mid", "Middle", "Nether"})

# Numbers said in words: one definition for house numbers, dates and digits read aloud
NUMBER_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
# Digits said one at a time, as numbers and codes are read out ("oh seven seven double oh"):
# each word's digit, and the words that repeat the next one
SAID_DIGITS = {"zero": "0", "oh": "0", "o": "0", "nought": "0", "nil": "0",
               **{word: str(value) for value, word in enumerate(NUMBER_UNITS, 1)}}
SAID_REPEATS = {"double": 2, "treble": 3, "triple": 3}
NUMBER_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen")
NUMBER_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")

# A saint's title before a name ("St Bede's", "Saint Michael", "Ss Peter and Paul"): with its
# name, a school or church
SAINT_TITLES = frozenset({"st", "st.", "saint", "saints", "ss", "sts"})

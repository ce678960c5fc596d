"""British names and places for the demo platform (made up people; real-sounding towns and counties)."""

FIRST_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William", "Henry", "Alfie", "Arthur",
    "Freddie", "Archie", "Theo", "Leo", "Oscar", "Noah", "Jacob", "Edward", "Rory", "Callum", "Euan", "Rhys",
    "Dylan", "Owen", "Gareth", "Niall", "Declan", "Amelia", "Olivia", "Isla", "Ava", "Emily", "Sophie",
    "Grace", "Lily", "Freya", "Poppy", "Isabella", "Evie", "Ella", "Charlotte", "Florence", "Harriet",
    "Imogen", "Eleanor", "Rosie", "Megan", "Siobhan", "Niamh", "Cerys", "Ffion", "Eilidh", "Morag", "Priya",
    "Aisha", "Zara", "Fatima", "Ravi", "Sanjay", "Mohammed", "Yusuf", "Kwame", "Chidi", "Tomasz", "Agnieszka",
)
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Patel",
    "Khan", "Lewis", "Harris", "Morgan", "Hughes", "Edwards", "Turner", "Cooper", "Hill", "Ward", "Morris",
    "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Campbell", "Stewart", "MacDonald", "Murray",
    "O'Brien", "O'Neill", "Fitzgerald", "Ashworth", "Pemberton", "Featherstonehaugh", "Singh", "Begum",
    "Nowak", "Okafor", "Mensah", "Llewellyn", "Pritchard", "Fraser", "Sutherland", "Kowalski",
)
PLACES = (
    ("Bath", "Somerset", "South West"), ("Bourton-on-the-Water", "Gloucestershire", "Cotswolds"),
    ("Stow-on-the-Wold", "Gloucestershire", "Cotswolds"), ("Windermere", "Cumbria", "Lake District"),
    ("Keswick", "Cumbria", "Lake District"), ("Ambleside", "Cumbria", "Lake District"),
    ("St Ives", "Cornwall", "South West"), ("Padstow", "Cornwall", "South West"), ("Newquay", "Cornwall", "South West"),
    ("Whitby", "North Yorkshire", "North East"), ("Harrogate", "North Yorkshire", "North East"),
    ("York", "North Yorkshire", "North East"), ("Brighton", "East Sussex", "South East"),
    ("Rye", "East Sussex", "South East"), ("Canterbury", "Kent", "South East"), ("Whitstable", "Kent", "South East"),
    ("Bakewell", "Derbyshire", "Peak District"), ("Buxton", "Derbyshire", "Peak District"),
    ("Tenby", "Pembrokeshire", "Wales"), ("Betws-y-Coed", "Conwy", "Wales"), ("Brecon", "Powys", "Wales"),
    ("Pitlochry", "Perthshire", "Scotland"), ("Aviemore", "Highland", "Scotland"), ("Oban", "Argyll", "Scotland"),
    ("St Andrews", "Fife", "Scotland"), ("Ludlow", "Shropshire", "West Midlands"),
    ("Stratford-upon-Avon", "Warwickshire", "West Midlands"), ("Norwich", "Norfolk", "East of England"),
    ("Wells-next-the-Sea", "Norfolk", "East of England"), ("Southwold", "Suffolk", "East of England"),
    ("Lyme Regis", "Dorset", "South West"), ("Dartmouth", "Devon", "South West"), ("Salcombe", "Devon", "South West"),
    ("Hay-on-Wye", "Herefordshire", "West Midlands"), ("Portmeirion", "Gwynedd", "Wales"),
)
HOUSE_WORDS = (
    "Manor", "Hall", "Barn", "Lodge", "Court", "House", "Grange", "Rectory", "Priory", "Mill", "Farmhouse",
    "Castle", "Abbey", "Cottage", "Retreat", "Estate", "Coach House", "Boathouse",
)
HOUSE_ADJECTIVES = (
    "Old", "Great", "Little", "Upper", "Lower", "Hidden", "Willow", "Oak", "Beech", "Foxglove", "Heron", "Kingfisher",
    "Meadow", "River", "Hilltop", "Orchard", "Bramble", "Thistle", "Heather", "Lantern", "Harbour", "Saltmarsh",
)
PROPERTY_TYPES = ("manor house", "barn conversion", "country house", "castle", "lodge", "cottage", "townhouse")
OCCASIONS = (
    "birthday", "hen party", "stag do", "wedding", "corporate", "family reunion", "anniversary", "Christmas",
    "New Year", "retreat", "Birthday", "baby shower", "graduation", None,
)
COMPANIES = (
    "Holdings Ltd", "Estates Ltd", "Leisure LLP", "Stays Ltd", "Hospitality Ltd", "Properties", "& Sons",
)

package sitegen

// The vocabulary of the generated prose. It is engineering English that the
// sample policy (policy/disclosure.yaml) has nothing against: no product,
// competitor or client names, no confidential or political terms, nothing
// that looks like a host, an address or a secret. Keep it that way: the
// corpus must pass `peerpress check` with no error.

var nouns = [...]string{
	"solder", "joint", "paste", "stencil", "aperture", "reflow", "profile", "oven", "flux", "residue",
	"pad", "via", "board", "laminate", "copper", "plating", "nickel", "tin", "whisker", "void",
	"sphere", "grid", "array", "package", "lead", "frame", "substrate", "die", "wire", "bond",
	"interface", "material", "layer", "coating", "chamber", "cycle", "shock", "fatigue", "crack", "creep",
	"strain", "stress", "model", "fixture", "sensor", "thermocouple", "gauge", "probe", "sample", "coupon",
	"batch", "lot", "line", "printer", "nozzle", "feeder", "camera", "inspection", "image", "histogram",
	"threshold", "metric", "failure", "mode", "mechanism", "cause", "test", "result", "dataset", "script",
	"pipeline", "dashboard", "query", "column", "spreadsheet", "report", "review", "standard", "method", "procedure",
	"specification", "tolerance", "margin", "limit", "rate", "temperature", "humidity", "pressure", "viscosity", "thickness",
	"width", "length", "volume", "ratio", "yield", "defect", "rework", "process", "engineer", "operator",
	"customer", "supplier", "schedule", "shift", "lab", "bench", "oscilloscope", "multimeter", "resistance", "current",
	"voltage", "leakage", "insulation", "moisture", "contamination", "cleanliness", "conductivity", "alloy", "grain", "microstructure",
	"intermetallic", "fracture", "micrograph", "polish", "etch", "magnification", "furnace", "conveyor", "zone", "ramp",
	"soak", "peak", "liquidus", "wetting", "fillet", "meniscus", "bridge", "opening", "short", "tombstone",
	"component", "capacitor", "resistor", "inductor", "connector", "heatsink", "enclosure", "gasket", "adhesive", "epoxy",
	"underfill", "encapsulant", "silicone", "polymer", "ceramic", "glass", "fiber", "weave", "resin", "cure",
	"outgassing", "shrinkage", "expansion", "coefficient", "modulus", "hardness", "toughness", "elongation", "deflection", "vibration",
	"drop", "bend", "torque", "load", "force", "displacement", "distribution", "mean", "variance", "deviation",
	"regression", "fit", "estimate", "interval", "confidence", "hypothesis", "experiment", "factor", "level", "response",
	"trial", "run", "repeat", "baseline", "trend", "drift", "offset", "calibration", "reference", "uncertainty",
}

var verbs = [...]string{
	"measure", "compare", "reduce", "increase", "track", "inspect", "calibrate", "record", "plot", "estimate",
	"predict", "fit", "adjust", "tune", "verify", "replicate", "sample", "log", "sort", "filter",
	"explain", "show", "change", "limit", "control", "monitor", "review", "check", "test", "repeat",
	"clean", "bake", "print", "place", "reflow", "cool", "heat", "cycle", "stress", "section",
	"polish", "image", "count", "weigh", "align", "clamp", "mount", "probe", "trace", "rank",
}

var adjectives = [...]string{
	"thermal", "mechanical", "electrical", "chemical", "stable", "noisy", "repeatable", "fine", "coarse", "dense",
	"thin", "thick", "warm", "cold", "humid", "dry", "fast", "slow", "accurate", "rough",
	"smooth", "lead-free", "no-clean", "water-soluble", "typical", "robust", "marginal", "critical", "minor", "major",
	"early", "late", "small", "large", "wide", "narrow", "shallow", "deep", "linear", "nonlinear",
	"visible", "hidden", "first", "second", "final", "practical", "simple", "careful", "useful", "honest",
}

var function = [...]string{
	"the", "a", "of", "and", "to", "in", "with", "on", "for", "from",
	"that", "this", "is", "are", "was", "we", "our", "it", "when", "then",
	"but", "so", "each", "every", "more", "less", "than", "at", "by", "after",
	"before", "between", "under", "over", "into", "through", "how", "why", "which", "where",
}

var units = [...]string{"µm", "mm", "°C", "s", "min", "%", "g", "N", "MPa", "mV", "mA", "ppm", "h"}

// Topics are combined with qualifiers into the 200 tags.
var topics = [...]string{
	"soldering", "reflow", "stencils", "flux", "plating", "whiskers", "voiding", "thermal cycling", "reliability", "metrology",
	"statistics", "automation", "python", "go", "data analysis", "failure analysis", "cleanliness", "materials", "adhesives", "testing",
	"inspection", "x-ray", "cross-sections", "standards", "lab notes", "process control", "design of experiments", "modelling", "sensors", "tooling",
	"humidity", "corrosion", "vibration", "drop testing", "microscopy", "calibration", "field returns", "rework", "coatings", "laminates",
}

var qualifiers = [...]string{"", "basics", "in practice", "at scale", "pitfalls"}

var categories = [...]string{"Process notes", "Reliability", "Tools", "Lab life", "Data", "Materials", "Careers", "Standards"}

var firstNames = [...]string{
	"Ada", "Bram", "Chiara", "Dmitri", "Esi", "Farid", "Greta", "Hiro", "Ines", "Jonas",
	"Kalani", "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rhea", "Sven", "Talia",
	"Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zofia", "Amara", "Björn", "Carmen", "Desmond",
	"Elif", "Florin", "Gaia", "Hamid", "Ilse", "Jae", "Kofi", "Lucía", "Milan", "Noor",
	"Orla", "Pavel", "Rosalind", "Sami", "Tereza", "Ulla", "Viktor", "Wanjiru", "Yara", "Zeno",
}

var lastNames = [...]string{
	"Okafor", "Lindqvist", "Ferraro", "Volkov", "Mensah", "Haddad", "Novak", "Tanaka", "Duarte", "Becker",
	"Kahale", "Rahimi", "Castillo", "Petrov", "Engström", "Raman", "Moreau", "Iyer", "Halvorsen", "Ben-Ami",
	"Siddiqui", "Kowalski", "Zhou", "Arroyo", "Demir", "Wiśniewska", "Nwosu", "Sandberg", "Ortega", "Achterberg",
	"Yılmaz", "Popescu", "Rossi", "Karimi", "Vogel", "Park", "Asante", "Quiroga", "Horvat", "Haidari",
	"Byrne", "Sokolov", "Whitfield", "Laine", "Dvořák", "Aaltonen", "Marinov", "Kamau", "Saleh", "Ricci",
}

var titles = [...]string{
	"Process Engineer", "Senior Process Engineer", "Reliability Engineer", "Principal Reliability Engineer", "Materials Scientist",
	"Staff Materials Scientist", "Test Automation Engineer", "Applications Engineer", "Senior Applications Engineer", "Metrology Engineer",
}

// products are the employer's products of the sample policy, with the name a
// post uses when it discusses one.
var products = [...]struct{ id, name string }{
	{"flowcore", "FlowCore"}, {"novapaste", "NovaPaste"}, {"thermalayer", "ThermaLayer"},
}

// codenames are hashed into the corpus's policy/codenames.sha256; none of
// them is a word above, so the corpus never names one.
var codenames = [...]string{"kestrel", "bluefin", "ironwood"}

namespace Umearegionen.Switchboard.Directory.Demo;

/// <summary>A served municipality as the demo directory knows it: its web domain, area code and villages.</summary>
public sealed record DemoMunicipality(string Code, string Name, string Domain, string AreaCode, string Exchange, string[] Areas);

/// <summary>A kind of department a Swedish municipality has, with the words callers use for it.</summary>
public sealed record DepartmentTemplate(
    string Name, string[] Topics, (string Name, string Path)[] EServices, string[] Titles,
    string ClosedKind = "none", string? ClosedText = null, bool Local = false, string? ClosedPhone = null);

public sealed record AdministrationTemplate(string Name, DepartmentTemplate[] Departments);

/// <summary>Reference data for the synthetic directory: real municipalities, typical administrations and topics.</summary>
public static class DemoCatalogue
{
    public static readonly DemoMunicipality[] Municipalities =
    [
        new("2480", "Umeå", "umea.se", "090", "16", ["Ersboda", "Teg", "Haga", "Ålidhem", "Mariehem", "Holmsund", "Sävar",
            "Hörnefors", "Tomtebo", "Öbacka", "Umedalen", "Obbola", "Röbäck", "Berghem", "Sofiehem", "Carlshöjd",
            "Backen", "Grubbe", "Västerslätt", "Böleäng"]),
        new("2460", "Vännäs", "vannas.se", "0935", "14", ["Vännäsby", "Pengsjö", "Vännäs centrum", "Tväråbäck"]),
        new("2401", "Nordmaling", "nordmaling.se", "0930", "14", ["Nordmaling centrum", "Rundvik", "Lögdeå", "Gräsmyr"]),
        new("2409", "Robertsfors", "robertsfors.se", "0934", "14", ["Robertsfors centrum", "Bygdeå", "Ånäset", "Kusmark"]),
        new("2404", "Vindeln", "vindeln.se", "0933", "14", ["Vindeln centrum", "Tvärålund", "Granö", "Åmsele"]),
        new("2403", "Bjurholm", "bjurholm.se", "0932", "14", ["Bjurholm centrum", "Agnäs", "Balsjö"]),
    ];

    // The on-call numbers are the municipalities' published main numbers; a real deployment sets its own.
    public static readonly AdministrationTemplate[] Administrations =
    [
        new("Kommunledningskontoret",
        [
            new("Kansli och registratur", ["allmänna handlingar", "diarium", "överklagande", "politiska beslut", "kommunfullmäktige"],
                [("Begär ut allmän handling", "e-tjanster/allmanna-handlingar")], ["Registrator", "Kommunsekreterare", "Nämndsekreterare"]),
            new("Ekonomi", ["faktura", "leverantörsfaktura", "kommunalskatt"], [("E-faktura", "e-tjanster/e-faktura")],
                ["Ekonom", "Redovisningsekonom", "Controller"]),
            new("HR och personal", ["lediga jobb", "lön", "sommarjobb", "praktik"], [("Sök jobb", "jobb")],
                ["HR-konsult", "Lönehandläggare", "HR-chef"]),
            new("Kommunikation", ["press", "webbplatsen", "evenemang"], [], ["Kommunikatör", "Webbredaktör"]),
        ]),
        new("Individ- och familjeomsorgen",
        [
            new("Försörjningsstöd", ["ekonomiskt bistånd", "försörjningsstöd", "socialbidrag", "budget- och skuldrådgivning"],
                [("Ansök om ekonomiskt bistånd", "e-tjanster/ekonomiskt-bistand")], ["Socialsekreterare", "Budget- och skuldrådgivare"],
                "on-call", "Socialjouren tar akuta ärenden när kontoret är stängt."),
            new("Barn och familj", ["orosanmälan", "familjerådgivning", "familjehem", "barn som far illa"],
                [("Gör en orosanmälan", "e-tjanster/orosanmalan")], ["Socialsekreterare", "Familjebehandlare"],
                "on-call", "Socialjouren tar emot orosanmälningar dygnet runt."),
            new("Vuxen och beroende", ["missbruk", "beroende", "våld i nära relationer", "socialjour"], [],
                ["Socialsekreterare", "Behandlare"], "on-call", "Vid akut behov: socialjouren."),
        ]),
        new("Samhällsbyggnad",
        [
            new("Bygglov", ["bygglov", "bygganmälan", "rivningslov", "strandskydd", "attefallshus"],
                [("Ansök om bygglov", "e-tjanster/bygglov"), ("Gör en bygganmälan", "e-tjanster/bygganmalan")],
                ["Bygglovshandläggare", "Byggnadsinspektör", "Bygglovsarkitekt"], "e-service"),
            new("Miljö och hälsa", ["livsmedelskontroll", "buller", "enskilt avlopp", "värmepump", "radon", "tillsyn"],
                [("Ansök om enskilt avlopp", "e-tjanster/enskilt-avlopp"), ("Anmäl värmepump", "e-tjanster/varmepump")],
                ["Miljöinspektör", "Livsmedelsinspektör"]),
            new("Plan och lantmäteri", ["detaljplan", "översiktsplan", "nybyggnadskarta", "fastighetsbildning", "tomter"],
                [("Beställ nybyggnadskarta", "e-tjanster/nybyggnadskarta")], ["Planarkitekt", "Kart- och mätingenjör"]),
        ]),
        new("Teknik och fastighet",
        [
            new("Gata och trafik", ["snöröjning", "halkbekämpning", "felanmälan gatubelysning", "gatubelysning", "grävtillstånd",
                    "parkeringstillstånd", "gator och vägar", "sandupptagning"],
                [("Felanmälan gata och belysning", "e-tjanster/felanmalan"), ("Ansök om parkeringstillstånd", "e-tjanster/parkeringstillstand")],
                ["Gatuingenjör", "Driftledare gata", "Trafikingenjör"], "e-service"),
            new("Park och natur", ["lekplatser", "parker", "träd", "badplatser", "skidspår"], [("Felanmälan park", "e-tjanster/felanmalan")],
                ["Parkingenjör", "Arbetsledare park"], "e-service"),
            new("Fastighet", ["kommunens lokaler", "felanmälan fastighet", "lokalbokning"], [("Felanmälan fastighet", "e-tjanster/felanmalan-fastighet")],
                ["Fastighetsförvaltare", "Drifttekniker"]),
        ]),
        new("Vatten och avfall",
        [
            new("Vatten och avlopp", ["vatten", "avlopp", "vattenläcka", "vattenmätare", "VA-anslutning", "dricksvatten", "kokningsrekommendation"],
                [("Anmäl mätarställning", "e-tjanster/matarstallning")], ["VA-ingenjör", "Drifttekniker VA", "Kundtjänst VA"],
                "on-call", "Vid vattenläcka eller stopp i avlopp utanför kontorstid: ring VA-jouren."),
            new("Avfall och återvinning", ["sophämtning", "återvinningscentral", "soptunna", "slamtömning", "grovsopor", "matavfall"],
                [("Beställ extra hämtning", "e-tjanster/extra-hamtning"), ("Ändra abonnemang för sophämtning", "e-tjanster/sophamtning")],
                ["Renhållningsinspektör", "Kundtjänst avfall"], "callback"),
        ]),
        new("Utbildning",
        [
            new("Förskola", ["förskola", "förskoleplats", "barnomsorg", "pedagogisk omsorg", "förskolekö"],
                [("Ansök om förskoleplats", "e-tjanster/forskoleplats")], ["Förskolechef", "Förskollärare", "Placeringshandläggare"], Local: true),
            new("Grundskola", ["skola", "skolskjuts", "skolval", "modersmål", "fritidshem", "skollunch"],
                [("Ansök om skolskjuts", "e-tjanster/skolskjuts"), ("Välj skola", "e-tjanster/skolval")],
                ["Rektor", "Skolskjutshandläggare", "Skolsköterska", "Kurator"], Local: true),
            new("Gymnasium och vuxenutbildning", ["gymnasium", "komvux", "SFI", "svenska för invandrare", "yrkesutbildning"],
                [("Ansök till komvux", "e-tjanster/komvux")], ["Studie- och yrkesvägledare", "Rektor"]),
        ]),
        new("Fritid och kultur",
        [
            new("Bibliotek", ["bibliotek", "låna böcker", "e-böcker", "lånekort"], [("Förnya lån", "bibliotek/mina-lan")],
                ["Bibliotekarie", "Bibliotekschef"], "e-service", Local: true),
            new("Fritid", ["idrottshall", "simhall", "boka lokal", "föreningsbidrag", "fritidsgård"],
                [("Boka idrottshall", "e-tjanster/lokalbokning"), ("Ansök om föreningsbidrag", "e-tjanster/foreningsbidrag")],
                ["Fritidskonsulent", "Badmästare", "Fritidsledare"]),
            new("Kulturskola", ["kulturskola", "musikskola", "dans", "teater"], [("Anmälan till kulturskolan", "e-tjanster/kulturskola")],
                ["Musiklärare", "Kulturskolechef"]),
        ]),
        new("Vård och omsorg",
        [
            new("Hemtjänst", ["hemtjänst", "trygghetslarm", "matdistribution", "avlösning"], [("Ansök om hemtjänst", "e-tjanster/hemtjanst")],
                ["Enhetschef hemtjänst", "Samordnare hemtjänst"], "message",
                "Hemtjänsten är bemannad dygnet runt; lämna meddelande så ringer samordnaren upp.", Local: true),
            new("Biståndshandläggning", ["särskilt boende", "äldreboende", "biståndsbedömning", "korttidsboende", "anhörigstöd"],
                [("Ansök om äldreomsorg", "e-tjanster/aldreomsorg")], ["Biståndshandläggare", "Anhörigkonsulent"], "callback"),
            new("Bostadsanpassning och färdtjänst", ["bostadsanpassning", "bostadsanpassningsbidrag", "färdtjänst", "riksfärdtjänst"],
                [("Ansök om bostadsanpassningsbidrag", "e-tjanster/bostadsanpassning"), ("Ansök om färdtjänst", "e-tjanster/fardtjanst")],
                ["Bostadsanpassningshandläggare", "Färdtjänsthandläggare"], "callback"),
            new("Funktionsstöd", ["LSS", "personlig assistans", "ledsagning", "daglig verksamhet", "gruppbostad"],
                [("Ansök om insats enligt LSS", "e-tjanster/lss")], ["LSS-handläggare", "Enhetschef funktionsstöd"]),
        ]),
        new("Överförmyndarenheten",
        [
            new("Överförmyndare", ["god man", "förvaltare", "överförmyndare", "årsräkning"], [("Lämna årsräkning", "e-tjanster/arsrakning")],
                ["Handläggare överförmyndare"]),
        ]),
    ];

    public static readonly string[] FirstNames =
    [
        "Anna", "Eva", "Maria", "Karin", "Kristina", "Lena", "Sara", "Emma", "Elin", "Ida", "Johanna", "Malin", "Sofia",
        "Linnea", "Hanna", "Frida", "Camilla", "Ingrid", "Annika", "Ulrika", "Maja", "Klara", "Astrid", "Elsa", "Helena",
        "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Peter", "Jan", "Fredrik", "Daniel", "Magnus",
        "Mattias", "Andreas", "Jonas", "Henrik", "Niklas", "Oskar", "Viktor", "Emil", "Gustav", "Björn", "Ola", "Tomas", "Stefan",
    ];

    public static readonly string[] LastNames =
    [
        "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson",
        "Lindberg", "Lindström", "Lundberg", "Lindqvist", "Lindgren", "Berglund", "Bergström", "Sandberg", "Forsberg", "Sjöberg",
        "Eklund", "Lundin", "Holmberg", "Nyström", "Öberg", "Hedlund", "Marklund", "Lidström", "Nordin", "Nordström",
        "Backman", "Burström", "Granberg", "Sundström", "Åström", "Holmström", "Wikström", "Lundgren", "Söderberg", "Jonsson",
    ];

    public static readonly string[] ReferralReasons = ["Semester", "Tjänstledig", "Kurs", "Sjukfrånvaro", "Föräldraledig", "Tjänsteresa"];
}

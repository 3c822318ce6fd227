import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Prints one line per end-to-end check from Failsafe's reports: "PASS: name (figures)" or "FAIL: name (figures)
 * reason". The figures are the lines the check printed behind "figures: ". testing_infrastructure.sh counts them.
 *
 *   java src/test/scripts/E2eSummary.java target/failsafe-reports [REPORT_GLOB]      (default glob: TEST-*E2E.xml)
 */
public class E2eSummary {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/failsafe-reports");
        String glob = args.length > 1 ? args[1] : "TEST-*E2E.xml";
        List<Path> reports;
        try (Stream<Path> files = Files.list(dir)) {
            var matcher = dir.getFileSystem().getPathMatcher("glob:" + glob);
            reports = files.filter(p -> matcher.matches(p.getFileName())).sorted().toList();
        }
        for (Path report : reports) {
            NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile())
                    .getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                System.out.println(line((Element) cases.item(i)));
            }
        }
    }

    private static String line(Element testcase) {
        String figures = String.join("; ", text(testcase, "system-out").lines()
                .filter(l -> l.startsWith("figures: ")).map(l -> l.substring("figures: ".length())).toList());
        String verdict = "PASS";
        String reason = "";
        for (String problem : List.of("failure", "error", "skipped")) {
            NodeList found = testcase.getElementsByTagName(problem);
            if (found.getLength() > 0) {
                verdict = "FAIL";
                Element e = (Element) found.item(0);
                String message = e.getAttribute("message").isBlank() ? e.getTextContent() : e.getAttribute("message");
                reason = " " + problem + ": " + message.strip().lines().findFirst().orElse("");
                break;
            }
        }
        return verdict + ": " + testcase.getAttribute("name") + (figures.isEmpty() ? "" : " (" + figures + ")") + reason;
    }

    private static String text(Element testcase, String tag) {
        NodeList nodes = testcase.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent();
    }
}

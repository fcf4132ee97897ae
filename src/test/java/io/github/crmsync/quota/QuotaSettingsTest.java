package io.github.crmsync.quota;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading and checking the API-budget settings a client sends, as a table. */
class QuotaSettingsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"lowerThresholdPercent":40,"upperThresholdPercent":80}                        | OK 40/80/null
            {"lowerThresholdPercent":40,"upperThresholdPercent":80,"allocation":null}      | OK 40/80/null
            {"lowerThresholdPercent":1,"upperThresholdPercent":100,"allocation":25000}     | OK 1/100/25000
            {"lowerThresholdPercent":80,"upperThresholdPercent":80}                        | must be below upperThresholdPercent
            {"lowerThresholdPercent":0,"upperThresholdPercent":80}                         | lowerThresholdPercent must be from 1 to 100
            {"lowerThresholdPercent":40,"upperThresholdPercent":120}                       | upperThresholdPercent must be from 1 to 100
            {"lowerThresholdPercent":"40","upperThresholdPercent":80}                      | lowerThresholdPercent must be a whole number
            {"lowerThresholdPercent":40.5,"upperThresholdPercent":80}                      | lowerThresholdPercent must be a whole number
            {"upperThresholdPercent":80}                                                   | lowerThresholdPercent is required
            {"lowerThresholdPercent":40}                                                   | upperThresholdPercent is required
            {"lowerThresholdPercent":40,"upperThresholdPercent":80,"allocation":0}         | allocation must be a positive number
            {"lowerThresholdPercent":40,"upperThresholdPercent":80,"allocation":1.5}       | allocation must be a whole number
            {"lowerThresholdPercent":40,"upperThresholdPercent":80,"tier":"ALL"}           | unknown setting: tier
            [40,80]                                                                        | Send a JSON object
            """)
    void readsOrNamesTheProblem(String json, String expected) throws Exception {
        QuotaSettings.Parsed parsed = QuotaSettings.fromJson(JSON.readTree(json));
        if (expected.startsWith("OK ")) {
            String[] values = expected.substring(3).split("/");
            assertThat(parsed.problems()).isEmpty();
            assertThat(parsed.settings()).isEqualTo(new QuotaSettings(Integer.parseInt(values[0]), Integer.parseInt(values[1]),
                    values[2].equals("null") ? null : Long.valueOf(values[2])));
        } else {
            assertThat(parsed.settings()).isNull();
            assertThat(String.join(" / ", parsed.problems())).contains(expected);
        }
    }
}

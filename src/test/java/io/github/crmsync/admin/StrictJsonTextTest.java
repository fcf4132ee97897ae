package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StrictJsonTextTest {

    record Start(String startedBy) {
    }

    private final ObjectMapper json = new ObjectMapper().registerModule(new StrictJsonText());

    @Test
    void textComesOnlyFromAJsonString() throws Exception {
        assertThat(json.readValue("{\"startedBy\":\"newcomer\"}", Start.class).startedBy()).isEqualTo("newcomer");
        assertThat(json.readValue("{\"startedBy\":null}", Start.class).startedBy()).isNull();
        for (String notText : new String[] {"7", "7.5", "true", "[\"a\"]", "{\"name\":\"a\"}"}) {
            assertThatThrownBy(() -> json.readValue("{\"startedBy\":" + notText + "}", Start.class))
                    .as(notText).isInstanceOf(MismatchedInputException.class).hasMessageContaining("startedBy");
        }
    }

    @Test
    void withoutItJacksonWouldTakeANumberAsText() throws Exception {
        assertThat(new ObjectMapper().readValue("{\"startedBy\":7}", Start.class).startedBy()).isEqualTo("7");
    }
}

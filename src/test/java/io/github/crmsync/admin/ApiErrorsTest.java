package io.github.crmsync.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.crmsync.requests.Conflict;
import io.github.crmsync.requests.InvalidInput;
import io.github.crmsync.requests.NotFound;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the admin API answers for each kind of failure (the one onException of admin-api-rest.camel.yaml asks ApiErrors). */
class ApiErrorsTest {

    private final ApiErrors errors = new ApiErrors();

    record Body(int size) {
    }

    @Test
    void aRefusalAnswersItsStatusErrorProblemsAndDetails() {
        assertThat(errors.answer(new InvalidInput("The mappings are not valid.", List.of("a", "b"))))
                .isEqualTo(new ApiErrors.Answer(400, Map.of("error", "The mappings are not valid.", "problems", List.of("a", "b"))));
        assertThat(errors.answer(new NotFound("There is no mapping 7."))).isEqualTo(new ApiErrors.Answer(404,
                Map.of("error", "There is no mapping 7.")));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("requiresConfirmation", true);
        details.put("run", Map.of("id", 3));
        ApiErrors.Answer conflict = errors.answer(new CamelExecutionException("wrapped", null,
                new Conflict("A bulk sync is running; saving stops it", details)));
        assertThat(conflict.status()).as("found inside a wrapping exception").isEqualTo(409);
        assertThat(conflict.body().keySet()).containsExactly("error", "requiresConfirmation", "run");
    }

    @Test
    void aBodyThatIsNotJsonOrDoesNotFitAnswers400NamingWhere() {
        ObjectMapper json = new ObjectMapper();
        Throwable notJson = catchFrom(() -> json.readValue("{\"size\": ", Body.class));
        assertThat(errors.answer(notJson).status()).isEqualTo(400);
        assertThat((String) errors.answer(notJson).body().get("error")).startsWith("The body is not JSON: ").doesNotContain("\n");
        Throwable misfit = catchFrom(() -> json.readValue("{\"size\": \"big\"}", Body.class));
        assertThat(errors.answer(misfit).status()).isEqualTo(400);
        assertThat((String) errors.answer(misfit).body().get("error")).startsWith("The body does not fit this call at size: ");
    }

    @Test
    void anythingElseAnswers500WithoutItsMessage() {
        ApiErrors.Answer answer = errors.answer(new IllegalStateException("password=hunter2 in a stack"));
        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.body().toString()).doesNotContain("hunter2").contains("the service log has the details");
    }

    private static Throwable catchFrom(ThrowingCall call) {
        assertThatThrownBy(call::run).isInstanceOf(Exception.class);
        try {
            call.run();
            throw new AssertionError("no failure");
        } catch (Exception e) {
            return e;
        }
    }

    interface ThrowingCall {
        void run() throws Exception;
    }
}

package io.github.crmsync.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;

/**
 * The admin API's JSON binding takes a text field only from a JSON string: Jackson would turn
 * {@code {"startedBy": 7}} into "7" and {@code {"objectType": true}} into "true", where the API
 * answers 400 naming the field. Registered on the REST binding's reader (admin-api-rest.camel.yaml).
 */
public final class StrictJsonText extends SimpleModule {

    public StrictJsonText() {
        super("strict-json-text");
        addDeserializer(String.class, new TextOnly());
    }

    private static final class TextOnly extends StdScalarDeserializer<String> {

        TextOnly() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.hasToken(JsonToken.VALUE_STRING)) {
                return parser.getText();
            }
            return (String) context.handleUnexpectedToken(String.class, parser);
        }
    }
}

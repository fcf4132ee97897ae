package io.github.crmsync.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import io.github.crmsync.SandboxMail;
import org.apache.camel.Exchange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The mail the sandbox SMTP server received, as JSON for {@code GET /sandbox/mail} (live mode: {@code NoSandboxMailbox}). */
public final class SandboxMailbox implements SandboxMail {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final GreenMail mail;

    /** @param mail the sandbox SMTP server */
    public SandboxMailbox(GreenMail mail) {
        this.mail = mail;
    }

    @Override
    public void messagesAsJson(Exchange exchange) throws Exception {
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(JSON.writeValueAsString(Map.of("messages", messages())));
    }

    public List<Map<String, Object>> messages() throws MessagingException {
        List<Map<String, Object>> list = new ArrayList<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", addresses(message.getFrom()));
            m.put("to", addresses(message.getAllRecipients()));
            m.put("subject", message.getSubject());
            m.put("receivedAt", message.getSentDate() != null ? message.getSentDate().toInstant().toString() : null);
            m.put("body", GreenMailUtil.getBody(message));
            list.add(m);
        }
        return list;
    }

    private static List<String> addresses(Address[] addresses) {
        return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString).toList();
    }
}

package io.github.reqcount.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.stereotype.Component;

/** Writes a {@link CountReply} in the original service's text format, which clients parse: keep it byte for byte. */
@Component
public class CountReplyTextConverter extends AbstractHttpMessageConverter<CountReply> {

    /** The original service's content type: every reply, and every refusal, is one or two lines of it. */
    public static final String TEXT = "text/plain;charset=UTF-8";

    CountReplyTextConverter() {
        super(StandardCharsets.UTF_8, MediaType.parseMediaType(TEXT));
    }

    static String format(CountReply reply) {
        return "You are talking to instance " + reply.instance() + ":" + reply.port() + ".\n"
                + "This is request " + reply.local() + " to this instance and request "
                + reply.cluster() + " to the cluster.\n";
    }

    @Override
    protected boolean supports(Class<?> clazz) {
        return CountReply.class == clazz;
    }

    @Override
    protected void writeInternal(CountReply reply, HttpOutputMessage output) throws IOException {
        output.getBody().write(format(reply).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected CountReply readInternal(Class<? extends CountReply> clazz, HttpInputMessage input) {
        throw new HttpMessageNotReadableException("A count reply is never read", input);
    }
}

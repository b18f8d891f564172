package dev.switchboard.samples.assistant;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The assistant's language model, chosen by the environment: OpenAI's API with {@code
 * OPENAI_API_KEY}, or a local Ollama with {@code OLLAMA_BASE_URL}, both through LangChain4j's OpenAI
 * client (Ollama serves the same API under {@code /v1}).
 *
 * @param model the model to talk to
 * @param description what it is, for the start line: the model's name and the API's address, never
 *     the key
 */
public record AssistantModel(ChatModel model, String description) {

    /** The model used with {@code OPENAI_API_KEY} when {@code OPENAI_MODEL} is not set. */
    public static final String DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

    /** The model used with {@code OLLAMA_BASE_URL} when {@code OLLAMA_MODEL} is not set. */
    public static final String DEFAULT_OLLAMA_MODEL = "llama3.2";

    /** OpenAI's API, when {@code OPENAI_BASE_URL} is not set. */
    public static final String OPENAI_API = "https://api.openai.com/v1";

    /** How long one call of the model may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * The model {@code env} configures. With {@code OPENAI_API_KEY}: {@code OPENAI_MODEL} (default
     * {@value #DEFAULT_OPENAI_MODEL}) at {@code OPENAI_BASE_URL} (default {@value #OPENAI_API}, or any
     * OpenAI-compatible API). Otherwise with {@code OLLAMA_BASE_URL} (such as {@code
     * http://localhost:11434}): {@code OLLAMA_MODEL} (default {@value #DEFAULT_OLLAMA_MODEL}) through
     * its OpenAI-compatible API at {@code <OLLAMA_BASE_URL>/v1}.
     *
     * @throws IllegalStateException if neither {@code OPENAI_API_KEY} nor {@code OLLAMA_BASE_URL} is set
     * @throws IllegalArgumentException if a URL is not an absolute http(s) URL (naming the variable and
     *     the value)
     */
    public static AssistantModel fromEnv(Map<String, String> env) {
        if (present(env, "OPENAI_API_KEY")) {
            String baseUrl = present(env, "OPENAI_BASE_URL") ? url(env, "OPENAI_BASE_URL") : OPENAI_API;
            String name = present(env, "OPENAI_MODEL") ? env.get("OPENAI_MODEL").strip() : DEFAULT_OPENAI_MODEL;
            ChatModel model = OpenAiChatModel.builder()
                    .apiKey(env.get("OPENAI_API_KEY").strip())
                    .baseUrl(baseUrl)
                    .modelName(name)
                    .timeout(TIMEOUT)
                    .build();
            return new AssistantModel(model, name + " at " + baseUrl);
        }
        if (present(env, "OLLAMA_BASE_URL")) {
            String baseUrl = url(env, "OLLAMA_BASE_URL") + "/v1";
            String name = present(env, "OLLAMA_MODEL") ? env.get("OLLAMA_MODEL").strip() : DEFAULT_OLLAMA_MODEL;
            ChatModel model = OpenAiChatModel.builder()
                    .apiKey("ollama") // Ollama reads no key; the client sends one
                    .baseUrl(baseUrl)
                    .modelName(name)
                    .timeout(TIMEOUT)
                    .build();
            return new AssistantModel(model, name + " at " + baseUrl);
        }
        throw new IllegalStateException("SWITCHBOARD_AGENT=assistant needs a language model: set OPENAI_API_KEY"
                + " (optionally OPENAI_MODEL, default " + DEFAULT_OPENAI_MODEL + ", and OPENAI_BASE_URL) to use"
                + " OpenAI, or OLLAMA_BASE_URL (such as http://localhost:11434, with OLLAMA_MODEL, default "
                + DEFAULT_OLLAMA_MODEL + ") to use a local Ollama");
    }

    /** The variable's value as an absolute http(s) URL without a query, with no slash at the end. */
    private static String url(Map<String, String> env, String variable) {
        String raw = env.get(variable).strip();
        try {
            URI url = new URI(raw);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https"))
                    && url.getHost() != null
                    && url.getRawQuery() == null
                    && url.getRawFragment() == null
                    && url.getRawUserInfo() == null) {
                return raw.replaceAll("/+$", "");
            }
        } catch (URISyntaxException e) {
            // reported below, with the value
        }
        throw new IllegalArgumentException(variable + " must be an absolute http or https URL without a query or a"
                + " user, such as " + (variable.startsWith("OLLAMA") ? "http://localhost:11434" : OPENAI_API) + ": "
                + raw.replaceAll("//[^/@]*@", "//***@"));
    }

    private static boolean present(Map<String, String> env, String key) {
        String value = env.get(key);
        return value != null && !value.isBlank();
    }
}

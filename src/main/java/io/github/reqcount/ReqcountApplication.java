package io.github.reqcount;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class ReqcountApplication {

    public static void main(String[] args) {
        SpringApplication.run(ReqcountApplication.class, args);
    }
}

/* The usage example at the top of nn.h, verbatim, so the header cannot drift from the code. */
#include "nn.h"
#include "test.h"
#include <stdio.h>

static void test_example(void)
{
    float x[8] = {0,0, 0,1, 1,0, 1,1}, y[4] = {0,1,1,0};
    int in_shape[1] = {2};
    nn_model *m = nn_model_create(1, in_shape, 42);
    nn_model_add(m, nn_dense(8, NN_ACT_TANH));
    nn_model_add(m, nn_dense(1, NN_ACT_SIGMOID));
    nn_optimizer opt = nn_adam(0.05f);
    if (nn_model_compile(m, &opt, NN_LOSS_BCE) != NN_OK) { puts(nn_model_error(m)); }
    nn_fit_opts fo = nn_fit_defaults(); fo.epochs = 300; fo.batch_size = 4;
    nn_model_fit(m, x, y, 4, &fo, NULL, NULL);
    float p[4]; nn_model_predict(m, x, 4, p);
    for (int i = 0; i < 4; i++) CHECK(fabsf(p[i] - y[i]) < 0.2f);
    nn_model_free(m);
}

int main(void)
{
    RUN(test_example);
    return nt_summary("header_example");
}
